// A gateway asks whether the cardholder is who they say (SPEC §7): frictionless "Y" below the
// product's frictionless ceiling at a merchant the card knows, a challenge "C" in online banking
// otherwise, "N" for cards that must not pay. A wrong expiry counts toward the card-testing freeze
// (SPEC §2); the card's row is locked first, so requests racing on one card decide on the status the
// others committed. Runs in the caller's transaction like the other network verbs.
import { findCurrency } from '../../domain/currencies.js';
import { formatKd } from '../../domain/money.js';
import { toBillingFils } from '../../domain/fx.js';
import { isValidPan } from '../../domain/pan.js';
import { DEFAULT_PRODUCT_CODE } from '../../domain/product.js';
import {
  authenticatedEci, CAVV_TTL_MS, CHALLENGE_TTL_MS, decideThreeDs, isCardTestingFailure, type TransStatus,
} from '../../domain/three-ds.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { findCardByFingerprint, lockAccount, lockCardByFingerprint } from '../../store/cards.repository.js';
import type { Executor, Trx } from '../../store/db.js';
import { findRate } from '../../store/fx.repository.js';
import { isKnownMerchant } from '../../store/known-merchants.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { findProduct } from '../../store/products.repository.js';
import { insertAuthentication } from '../../store/three-ds.repository.js';
import type { ThreeDsAuthentication } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { applyCardChange } from '../network/count-verification-failure.js';
import { cavvFor, newCavvRef } from './cavv.js';

export interface ThreeDsRequest {
  pan: string; expiry: string; amount: number; currency: string; merchantId: string; merchantName: string;
}

export interface ThreeDsResponse { id: string; transStatus: TransStatus; eci?: string; cavv?: string }

export interface ThreeDsOutcome { response: ThreeDsResponse; notify: string[] }

async function billingFils(db: Executor, amount: number, currencyNumeric: string, markupBps: number): Promise<number | null> {
  const currency = findCurrency(currencyNumeric);
  if (!currency || currency.numeric !== currencyNumeric) return null;
  if (currency.alpha === 'KWD') return amount;
  const rate = await findRate(db, currency.numeric);
  return rate ? toBillingFils(amount, currency, rate, markupBps).billingFils : null;
}

export async function startAuthentication(trx: Trx, ctx: ServiceContext, input: { request: ThreeDsRequest; networkClient: string; sourceIp?: string | null }): Promise<ThreeDsOutcome> {
  const { request } = input;
  const nowMs = ctx.clock.now();
  const fingerprint = ctx.keyring.fingerprint(request.pan);
  // Locks in the order every verb takes them, the card account before its card (the authorization's
  // read locks `a` then `c`): two shared commits holding one each would otherwise wait on each other.
  const found = isValidPan(request.pan) ? await findCardByFingerprint(trx, fingerprint) : undefined;
  const account = found ? await lockAccount(trx, ctx.handle.dialect, found.account_id) : undefined;
  const card = found ? await lockCardByFingerprint(trx, ctx.handle.dialect, fingerprint) : undefined;
  const product = (await findProduct(trx, account?.product_code ?? DEFAULT_PRODUCT_CODE))!;
  const billedFils = card ? await billingFils(trx, request.amount, request.currency, product.fxMarkupBps) : null;
  const decision = decideThreeDs({
    card: card ? { status: card.status, expiry: card.expiry } : null, requestExpiry: request.expiry,
    billingFils: billedFils, ceilingFils: product.frictionlessCeiling,
    knownMerchant: account ? await isKnownMerchant(trx, { accountId: account.id, merchantId: request.merchantId }) : false,
    nowMs,
  });

  const id = newId('3ds', nowMs);
  const row: ThreeDsAuthentication = {
    id, account_id: card?.account_id ?? null, card_id: card?.id ?? null, customer_id: card?.customer_id ?? null,
    network_client: input.networkClient, pan_fingerprint: fingerprint, amount: request.amount, currency: request.currency,
    billing_fils: billedFils, merchant_id: request.merchantId, merchant_name: request.merchantName,
    trans_status: decision.transStatus, eci: decision.transStatus === 'Y' ? authenticatedEci(request.pan) : null,
    cavv_ref: decision.transStatus === 'Y' ? newCavvRef() : null, cavv_used_at: null,
    decided_at: decision.transStatus === 'C' ? null : nowMs,
    expires_at: nowMs + (decision.transStatus === 'C' ? CHALLENGE_TTL_MS : CAVV_TTL_MS), created_at: nowMs,
    challenged: decision.transStatus === 'C' ? 1 : 0,
  };
  await insertAuthentication(trx, row);
  await appendAudit(trx, {
    accountId: row.account_id, actorType: 'network', actorId: input.networkClient,
    sourceIp: input.sourceIp, action: `three_ds.${decision.transStatus === 'C' ? 'challenged' : decision.transStatus === 'Y' ? 'frictionless' : 'refused'}`,
    subject: id, after: { transStatus: row.trans_status, reason: decision.reason, cardId: row.card_id, billingFils: billedFils, merchantId: row.merchant_id },
    nowMs,
  });

  const notify: string[] = [];
  // A wrong expiry tells the card-testing guard of a failure; a 3-D Secure answer never proves the card.
  if (card && await applyCardChange(trx, ctx, isCardTestingFailure(decision, card, request) ? 'verification_failed' : null,
    { card, accountId: card.account_id, nowMs })) notify.push(card.customer_id);
  if (decision.transStatus === 'C' && card) {
    const amount = billedFils !== null ? formatKd(billedFils, 'en') : `${request.amount}`;
    await addNotification(trx, {
      customerId: card.customer_id, accountId: card.account_id, cardId: card.id, kind: 'three_ds_challenge', severity: 'alert',
      message: `Approve a purchase of ${amount} at ${request.merchantName} with your card ending ${card.last4}? Open online banking within 5 minutes to approve or decline.`,
      data: { authenticationId: id, merchantName: request.merchantName, billingAmount: billedFils, expiresAt: new Date(row.expires_at).toISOString() },
      nowMs,
    });
    notify.push(card.customer_id);
  }
  const response: ThreeDsResponse = { id, transStatus: row.trans_status };
  if (row.trans_status === 'Y') Object.assign(response, { eci: row.eci!, cavv: cavvFor(ctx, row, request.pan) });
  return { response, notify };
}
