// Authorizes one network purchase (SPEC §3, §4): load → decide → write → effects. All reads and
// writes run in the transaction the caller hands in, so many authorizations can share one commit
// (group commit) without a rewrite.
import { recordedAt } from '../../domain/authorization-chain.js';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { formatKd } from '../../domain/money.js';
import { isValidPan } from '../../domain/pan.js';
import { DEFAULT_PRODUCT_CODE } from '../../domain/product.js';
import { cavvVerified, decideAuthorization, notifiesCardholder, provesCard, type AuthorizationDecision } from '../../domain/rules.js';
import { newId } from '../../ids.js';
import { param, prepared } from '../../runtime/prepared.js';
import { readForAuthorization, type AuthorizationReadHint } from '../../store/authorization-reads.repository.js';
import { writeAuthorization } from '../../store/authorization-writes.repository.js';
import type { AuthorizingAccount, AuthorizingCard } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { addNotification } from '../../store/notifications.repository.js';
import type { Authorization } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { useCavv } from '../three-ds/verify-cavv.js';
import { convert, loadAuthorizationFacts } from './authorization-facts.js';
import { duplicateTransmission, responseFromRow, type AuthorizationResponse } from './authorization-response.js';
import { authorizationWrites } from './authorization-row.js';
import { applyCardChange } from './count-verification-failure.js';
import { hashedContent, idempotencyKey, requestHash } from './request-identity.js';

// The HTTP route names the answer by this module.
export type { AuthorizationResponse } from './authorization-response.js';

/** Recorded no earlier than its account's newest (recordedAt): further behind is an instance's clock off. */
const CLOCK_BEHIND_WARNING_MS = 1_000;

export interface AuthorizeInput {
  request: AuthorizationRequest; networkClient: string; sourceIp?: string | null;
  /** Its idempotency key and card fingerprint, when already computed for a batch's read ahead (authorization-worker.ts). */
  readHint?: AuthorizationReadHint;
}

export interface AuthorizeOutcome {
  response: AuthorizationResponse;
  /** Customers to wake after commit (notification streams). */
  notify: string[];
  replayed: boolean;
}

// A retransmission, rare, reads its original's whole row (compiled once, see runtime/prepared.ts).
const authorizationById = prepared<{ id: string }, Authorization>((db) =>
  db.selectFrom('authorizations').selectAll().where('id', '=', param('id')));

export async function authorize(trx: Trx, ctx: ServiceContext, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  const { request, networkClient } = input;
  const nowMs = ctx.clock.now();
  const key = input.readHint?.key ?? idempotencyKey(networkClient, request);
  const content = hashedContent(request);
  const hash = requestHash(content);

  // Load: the card and account (locked), the product, or the original of a retransmission.
  const reads = await readForAuthorization(trx, ctx.handle.dialect, key,
    input.readHint ? input.readHint.fingerprint : isValidPan(request.pan) ? ctx.keyring.fingerprint(request.pan) : null, DEFAULT_PRODUCT_CODE);
  if (reads.previousId !== undefined) {
    const previous = await authorizationById.first(trx, { id: reads.previousId });
    if (!previous) throw new Error(`authorization ${reads.previousId} named by its key is missing`);
    // A row stored before migration 9 was hashed with its time as sent.
    const same = previous.request_hash === hash || (content !== request && previous.request_hash === requestHash(request));
    return { response: same ? responseFromRow(previous) : duplicateTransmission(previous.id), notify: [], replayed: true };
  }
  const { card, account, product } = reads;
  const createdAt = account ? recordedAt(nowMs, account.last_authorization_at) : nowMs;
  if (account && createdAt - nowMs > CLOCK_BEHIND_WARNING_MS) {
    ctx.logger.warn({ accountId: account.id, behindMs: createdAt - nowMs },
      "clock behind this account's newest authorization: recorded at that authorization's time");
  }
  const id = newId('auth', createdAt);
  const conversion = await convert(trx, request, product);
  const facts = await loadAuthorizationFacts(trx, ctx, { id, request, card, account, product, billingFils: conversion?.billingFils ?? null, nowMs });

  // Decide. A CAVV is used up by an approved purchase only: a declined one leaves it for the
  // merchant's retry. Used up meanwhile by a concurrent twin, it no longer verifies: decide again.
  let decision = decideAuthorization(facts);
  if (decision.approved && provesCard(decision) && cavvVerified(facts.authentication) && !(await useCavv(trx, request, nowMs))) {
    decision = decideAuthorization({ ...facts, authentication: 'failed' });
  }

  // Write: the row, the hold, the account's move and the audit entry.
  const writes = authorizationWrites({ request, networkClient, id, createdAt, key, hash, card, account, product, conversion, decision, nowMs });
  const { row } = writes;
  await writeAuthorization(trx, ctx.handle.dialect, writes, {
    accountId: row.account_id, actorType: 'network', actorId: networkClient,
    action: AUDIT_ACTIONS[decision.ruleId] ?? (decision.approved ? 'authorization.approved' : 'authorization.declined'),
    subject: id, sourceIp: input.sourceIp,
    after: { responseCode: row.response_code, reason: row.reason, ruleId: row.rule_id, billingFils: row.billing_fils, cardId: row.card_id },
    nowMs,
  }, reads.lockedStream);

  const notify = card && account ? await effects(trx, ctx, { request, card, account, decision, row, nowMs }) : [];
  return { response: responseFromRow(row), notify, replayed: false };
}

const AUDIT_ACTIONS: Record<string, string> = { refund_approved: 'authorization.refund_approved', verified: 'authorization.verified' };

interface EffectArgs {
  request: AuthorizationRequest; card: AuthorizingCard; account: AuthorizingAccount;
  decision: AuthorizationDecision; row: Authorization; nowMs: number;
}

/** The card-testing guard and the cardholder's notifications. Returns the customers to wake. */
async function effects(trx: Trx, ctx: ServiceContext, e: EffectArgs): Promise<string[]> {
  const { card, decision, row, nowMs } = e;
  // Every notification names the same customer, account and card (fields written out: an object
  // spread into a literal costs more than the rest of the notification's JavaScript).
  const customerId = card.customer_id;
  const accountId = e.account.id;
  const cardId = card.id;
  // A purchase or blocked attempt's notification is the authorization row itself
  // (store/notifications.repository.ts): nothing to write, only the cardholder's streams to wake.
  let notified = notifiesCardholder(decision);
  if (await applyCardChange(trx, ctx, decision.cardChange, { card, accountId, nowMs })) notified = true;
  if (decision.overLimit && row.billing_fils !== null) {
    const amount = formatKd(row.billing_fils, 'en');
    await addNotification(trx, { customerId, accountId, cardId, nowMs, kind: 'over_limit_used', severity: 'alert',
      message: `You used your over-limit allowance: ${amount} at ${e.request.merchantName}. Purchases above your limit will now be declined.`,
      data: { authorizationId: row.id } });
  }
  return notified ? [customerId] : [];
}
