// Helpers for the money-lifecycle tests: approved purchases, clearing records, balances.
import { expect } from 'vitest';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import type { Harness } from './harness.js';

export type Holder = Awaited<ReturnType<Harness['cardholder']>>;

/** Authorizes and expects an approval; returns the response plus the request it sent. */
export async function approvedPurchase(h: Harness, holder: Holder, overrides: Record<string, unknown> = {}) {
  const request = h.purchase(holder, overrides);
  const res = await h.network('/v1/network/authorizations', request);
  expect(res.status).toBe(200);
  expect(res.body.approved, JSON.stringify(res.body)).toBe(true);
  return { ...res.body as { authorizationId: string; authCode: string; billingAmount: number; overLimit: boolean }, request };
}

/** A clearing record for an authorization request; override any field. */
export function recordFor(request: Record<string, any>, authCode: string | undefined, overrides: Record<string, unknown> = {}) {
  return {
    rrn: request.rrn, acquirerId: request.acquirerId, ...(authCode ? { authCode } : {}), amount: request.amount,
    currency: request.currency, processingCode: '000000', mcc: request.mcc, merchantName: request.merchantName,
    ...overrides,
  };
}

export async function clear(h: Harness, records: unknown[]) {
  const res = await h.network('/v1/network/clearings', { records });
  expect(res.status, res.text).toBe(200);
  return res.body.results as Array<{ index: number; status: string; transactionId?: string; code?: string; needsReview?: boolean }>;
}

export async function reverse(h: Harness, body: Record<string, unknown>) {
  const res = await h.network('/v1/network/reversals', {
    stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(), ...body,
  });
  expect(res.status, res.text).toBe(200);
  return res.body as { responseCode: string; reversedAmount: number };
}

export async function account(h: Harness, holder: Holder) {
  return h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
}

export async function authorization(h: Harness, id: string) {
  return h.deps.handle.db.selectFrom('authorizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function cardView(h: Harness, holder: Holder) {
  const res = await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`);
  expect(res.status).toBe(200);
  return res.body as { outstanding: number; available: number; limit: number; overLimit: { used: boolean } };
}

export async function expectLedgerOk(h: Harness) {
  const report = await checkLedger(h.deps.handle.db);
  expect(report.differences).toEqual([]);
  return report;
}

export async function setRate(h: Harness, currency: string, rate: string) {
  const res = await h.admin('PUT', `/v1/admin/fx-rates/${currency}`, { rate });
  expect(res.status, res.text).toBe(200);
  return res.body;
}
