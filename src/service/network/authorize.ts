// Authorizes one network purchase (SPEC §3, §4). All reads and writes run in the transaction the
// caller hands in, so many authorizations can share one commit (group commit) without a rewrite.
import { hash as oneShotHash, timingSafeEqual } from 'node:crypto';
import { newAuthCode } from '../../domain/auth-code.js';
import { recordedAt } from '../../domain/authorization-chain.js';
import { effectiveCardStatus } from '../../domain/card-lifecycle.js';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { findCurrency } from '../../domain/currencies.js';
import { toBillingFils, withMarkupFils } from '../../domain/fx.js';
import { transmissionInstant } from '../../domain/transmission-time.js';
import { formatKd } from '../../domain/money.js';
import { isValidPan } from '../../domain/pan.js';
import { DEFAULT_PRODUCT_CODE, type Product } from '../../domain/product.js';
import { isCredentialOnFile } from '../../domain/channel.js';
import {
  authorizationKind, cavvVerified, decideAuthorization, notifiesCardholder, provesCard, countsTowardCardTesting,
  type AuthorizationDecision, type AuthorizationFacts,
} from '../../domain/rules.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { readForAuthorization } from '../../store/authorization-reads.repository.js';
import { type AccountMove, writeAuthorization } from '../../store/authorization-writes.repository.js';
import type { AuthorizingAccount, AuthorizingCard } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { param, prepared } from '../../runtime/prepared.js';
import { findRate } from '../../store/fx.repository.js';
import { cardLedger, NETWORK_SETTLEMENT, pendingTransfer } from '../../store/ledger.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import type { Authorization } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { findStoredCredential } from '../../store/known-merchants.repository.js';
import { useCavv, verifyCavv } from '../three-ds/verify-cavv.js';
import { applyCardChange } from './count-verification-failure.js';

export const BILLING_CURRENCY = '414';

/**
 * An authorization is recorded no earlier than its account's newest (recordedAt). A clock more than
 * this far behind that is worth an operator's look: an instance's clock is off.
 */
const CLOCK_BEHIND_WARNING_MS = 1_000;

export interface AuthorizationResponse {
  responseCode: string;
  approved: boolean;
  reason: string;
  authorizationId: string;
  authCode?: string;
  billingAmount?: number;
  billingCurrency: string;
  overLimit: boolean;
}

export interface AuthorizeInput {
  request: AuthorizationRequest;
  networkClient: string;
  sourceIp?: string | null;
}

export interface AuthorizeOutcome {
  response: AuthorizationResponse;
  /** Customers to wake after commit (notification streams). */
  notify: string[];
  replayed: boolean;
}

// The queries every authorization runs, compiled once (see runtime/prepared.ts).
// A retransmission, rare, reads its original's whole row.
const authorizationById = prepared<{ id: string }, Authorization>((db) =>
  db.selectFrom('authorizations').selectAll().where('id', '=', param('id')));

/**
 * A request's idempotency key (SPEC §4): the client's own, transmissionTime as an instant to the
 * second. Existing keys were rewritten to this form by migration 9.
 */
export function idempotencyKey(networkClient: string, r: Pick<AuthorizationRequest, 'acquirerId' | 'stan' | 'transmissionTime'>): string {
  return `${networkClient}|${r.acquirerId}|${r.stan}|${transmissionInstant(r.transmissionTime)}`;
}

/**
 * The request as its hash sees it: transmissionTime as the instant the key compares, so that a
 * retransmission spelling its time another way is the same content, not a 94.
 */
export function hashedContent<R extends AuthorizationRequest>(request: R): R {
  const instant = transmissionInstant(request.transmissionTime);
  return instant === request.transmissionTime ? request : { ...request, transmissionTime: instant };
}

// Code-unit order (not localeCompare): the same everywhere, and cheap on the hot path.
const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const sha256Hex = (text: string) => oneShotHash('sha256', text, 'hex');

/** The keys of the last request shape seen, and the same sorted: requests come in a few shapes. */
let lastKeys: string[] = [];
let lastSortedKeys: string[] = [];

function sortedKeysOf(request: object): string[] {
  const keys = Object.keys(request);
  if (keys.length === lastKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length && same; i++) same = keys[i] === lastKeys[i];
    if (same) return lastSortedKeys;
  }
  lastKeys = keys;
  lastSortedKeys = [...keys].sort(codeUnitOrder);
  return lastSortedKeys;
}

/**
 * Canonical hash of the request: same fields and values give the same hash, whatever the key order.
 * Stored hashes are compared on replay, so the text hashed never changes: JSON.stringify of an
 * object holding the request's own enumerable entries in code-unit key order (as
 * canonicalRequestHash builds it). Here that object is built by plain assignment in that order
 * (one hidden class per request shape, so JSON.stringify takes its fast path); `__proto__`, the
 * one key that assignment treats differently, goes the original way.
 */
export function requestHash(request: object): string {
  const keys = sortedKeysOf(request);
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__') return canonicalRequestHash(request);
    sorted[key] = (request as Record<string, unknown>)[key];
  }
  return sha256Hex(JSON.stringify(sorted));
}

/** The definition requestHash must keep matching (stored hashes were made with it). */
export function canonicalRequestHash(request: object): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => codeUnitOrder(a, b)));
  return sha256Hex(JSON.stringify(sorted));
}

export function responseFromRow(row: Authorization): AuthorizationResponse {
  // Built in the wire's key order, optional fields in their place (no spreads: every answer).
  const response: AuthorizationResponse = {
    responseCode: row.response_code,
    approved: row.approved === 1,
    reason: row.reason,
    authorizationId: row.id,
  } as AuthorizationResponse;
  if (row.auth_code) response.authCode = row.auth_code;
  if (row.billing_fils !== null) response.billingAmount = row.billing_fils;
  response.billingCurrency = BILLING_CURRENCY;
  response.overLimit = row.over_limit === 1;
  return response;
}

export async function authorize(trx: Trx, ctx: ServiceContext, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  const { request } = input;
  const nowMs = ctx.clock.now();
  const key = idempotencyKey(input.networkClient, request);
  const content = hashedContent(request);
  const hash = requestHash(content);

  const reads = await readForAuthorization(trx, ctx.handle.dialect, key,
    isValidPan(request.pan) ? ctx.keyring.fingerprint(request.pan) : null, DEFAULT_PRODUCT_CODE);
  if (reads.previousId !== undefined) {
    // A row stored before migration 9 was hashed with its time as sent.
    const previous = (await authorizationById.first(trx, { id: reads.previousId }))!;
    return replay(previous, previous.request_hash !== hash && content !== request ? requestHash(request) : hash);
  }
  const { card, account, product } = reads;
  const createdAt = account ? recordedAt(nowMs, account.last_authorization_at) : nowMs;
  const id = newId('auth', createdAt);
  const conversion = await convert(trx, request, product);
  const billingFils = conversion?.billingFils ?? null;
  const facts: AuthorizationFacts = {
    authorizationId: id,
    request,
    card: card ? { status: effectiveCardStatus(card.status, account!.status), expiry: card.expiry } : null,
    cvv2Matches: request.cvv2 === undefined ? null : card ? cvv2Matches(ctx, request, card) : false,
    product: {
      blockedMccs: product.blockedMccs,
      allowMailOrder: product.allowMailOrder,
      overLimitMarginPercent: product.overLimitMarginPercent,
      threeDsThresholdFils: product.threeDSecureThreshold,
    },
    billingFils,
    account: account ? {
      limitFils: account.limit_fils, postedFils: account.posted_fils, heldFils: account.held_fils,
      overLimitEnabled: account.over_limit_enabled === 1, overLimitUsed: account.over_limit_used === 1,
      overLimitAuthorizationId: account.over_limit_auth_id, overLimitUsedAtMs: account.over_limit_used_at,
    } : null,
    authentication: card ? await verifyCavv(trx, ctx, { request, card, billingFils, nowMs }) : 'none',
    accountOpen: account?.status === 'open',
    storedCredential: await storedCredential(trx, request, account),
    nowMs,
  };
  let decision = decideAuthorization(facts);
  // A CAVV is used up by an approved purchase only: a declined one leaves it for the merchant's
  // retry. Used up meanwhile by a concurrent twin, it no longer verifies, and the rules decide again.
  if (decision.approved && provesCard(decision) && cavvVerified(facts.authentication) && !(await useCavv(trx, request, nowMs))) {
    decision = decideAuthorization({ ...facts, authentication: 'failed' });
  }

  const row = await record(trx, ctx, { input, id, createdAt, key, hash, card, account, product, conversion, decision, nowMs });
  const notify = await sideEffects(trx, ctx, { request, card, account, decision, row, nowMs });
  return { response: responseFromRow(row), notify, replayed: false };
}

function replay(previous: Authorization, hash: string): AuthorizeOutcome {
  if (previous.request_hash === hash) return { response: responseFromRow(previous), notify: [], replayed: true };
  return {
    response: {
      responseCode: '94', approved: false, reason: 'duplicate_transmission', authorizationId: previous.id,
      billingCurrency: BILLING_CURRENCY, overLimit: false,
    },
    notify: [], replayed: true,
  };
}

export interface AuthorizationConversion { billingFils: number; rate: string | null; networkBillingFils: number | null }

/**
 * The billing amount: KWD as is; another currency from the network's conversion plus our markup
 * when the request carries one (SPEC §5), else at our rate plus markup; null when neither exists.
 */
export async function convert(trx: Trx, request: AuthorizationRequest, product: Product): Promise<AuthorizationConversion | null> {
  if (request.currency !== BILLING_CURRENCY && request.billingAmount !== undefined) {
    return { billingFils: withMarkupFils(request.billingAmount, product.fxMarkupBps), rate: null, networkBillingFils: request.billingAmount };
  }
  const currency = findCurrency(request.currency);
  if (!currency || currency.numeric !== request.currency) return null;
  if (currency.alpha === 'KWD') return { ...toBillingFils(request.amount, currency, '1', 0), networkBillingFils: null };
  const rate = await findRate(trx, currency.numeric);
  return rate ? { ...toBillingFils(request.amount, currency, rate, product.fxMarkupBps), networkBillingFils: null } : null;
}

/** Credential on file without CVV2: whether initialTransactionId names a purchase or verification that proved the card here. */
export async function storedCredential(trx: Trx, request: AuthorizationRequest, account: AuthorizingAccount | undefined): Promise<boolean> {
  if (!account || request.initialTransactionId === undefined || request.cvv2 !== undefined || !isCredentialOnFile(request)) return false;
  return findStoredCredential(trx, { id: request.initialTransactionId, accountId: account.id, merchantId: request.merchantId });
}

export function cvv2Matches(ctx: ServiceContext, request: AuthorizationRequest, card: AuthorizingCard): boolean {
  const expected = Buffer.from(ctx.keyring.cvv2(request.pan, card.expiry));
  const given = Buffer.from(request.cvv2!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

interface RecordArgs {
  input: AuthorizeInput; id: string; createdAt: number; key: string; hash: string; card: AuthorizingCard | undefined; account: AuthorizingAccount | undefined;
  product: Product; conversion: AuthorizationConversion | null;
  decision: AuthorizationDecision; nowMs: number;
}

async function record(trx: Trx, ctx: ServiceContext, a: RecordArgs): Promise<Authorization> {
  const { request } = a.input;
  const { account, id, createdAt } = a;
  if (createdAt - a.nowMs > CLOCK_BEHIND_WARNING_MS) {
    ctx.logger.warn({ accountId: account!.id, behindMs: createdAt - a.nowMs },
      "clock behind this account's newest authorization: recorded at that authorization's time");
  }
  const billingFils = a.conversion?.billingFils ?? null;
  const notified = account !== undefined && notifiesCardholder(a.decision);
  const change = a.decision.accountChange;
  const holdFils = change?.holdFils ?? null;
  const transfer = account && holdFils !== null ? pendingTransfer({
    accountId: account.id, debit: cardLedger(account.id), credit: NETWORK_SETTLEMENT,
    amountFils: holdFils, reference: `authorization:${id}`, nowMs: a.nowMs,
  }) : null;
  const move: AccountMove | null = account && change ? {
    id: account.id, held: account.held_fils + (holdFils ?? 0), authId: id, at: createdAt,
    notifiedHead: notified ? id : account.last_notified_authorization_id, overLimit: change.overLimit,
  } : null;
  const row: Authorization = {
    id, account_id: account?.id ?? null, card_id: a.card?.id ?? null, idempotency_key: a.key,
    request_hash: a.hash, network_client: a.input.networkClient, acquirer_id: request.acquirerId,
    rrn: request.rrn, stan: request.stan, processing_code: request.processingCode, amount: request.amount,
    currency: request.currency, billing_fils: billingFils, fx_rate: a.conversion?.rate ?? null,
    mcc: request.mcc, merchant_id: request.merchantId, merchant_name: request.merchantName,
    merchant_country: request.merchantCountry, pos_entry_mode: request.posEntryMode,
    response_code: a.decision.responseCode, reason: a.decision.reason, rule_id: a.decision.ruleId,
    approved: a.decision.approved ? 1 : 0, auth_code: a.decision.approved ? newAuthCode() : null,
    over_limit: a.decision.overLimit ? 1 : 0, hold_fils: holdFils ?? 0,
    // A pending refund expires like a hold when its clearing never comes (SPEC §5).
    hold_transfer_id: transfer?.id ?? null, status: a.decision.approved ? 'pending' : a.decision.ruleId === 'verified' ? 'verified' : 'declined',
    expires_at: a.decision.approved ? a.nowMs + a.product.holdLifetimeDays * 86_400_000 : null,
    created_at: createdAt, updated_at: createdAt,
    prev_authorization_id: account?.last_authorization_id ?? null,
    prev_notified_authorization_id: notified ? account!.last_notified_authorization_id : null,
    network_billing_fils: a.conversion?.networkBillingFils ?? null,
    source: 'issuer', needs_review: 0, superseded_by: null,
  };
  await writeAuthorization(trx, ctx.handle.dialect, { transfer, move, row });
  await appendAudit(trx, {
    accountId: row.account_id, actorType: 'network', actorId: a.input.networkClient,
    action: AUDIT_ACTIONS[a.decision.ruleId] ?? (a.decision.approved ? 'authorization.approved' : 'authorization.declined'),
    subject: id, sourceIp: a.input.sourceIp,
    after: { responseCode: row.response_code, reason: row.reason, ruleId: row.rule_id, billingFils, cardId: row.card_id },
    nowMs: a.nowMs,
  });
  return row;
}

const AUDIT_ACTIONS: Record<string, string> = { refund_approved: 'authorization.refund_approved', verified: 'authorization.verified' };

interface EffectArgs {
  request: AuthorizationRequest; card: AuthorizingCard | undefined; account: AuthorizingAccount | undefined;
  decision: AuthorizationDecision; row: Authorization; nowMs: number;
}

/** Card-testing freeze and the cardholder's notifications. Returns the customers to wake. */
async function sideEffects(trx: Trx, ctx: ServiceContext, e: EffectArgs): Promise<string[]> {
  const { card, account, decision, row, nowMs } = e;
  if (!card || !account) return [];
  // Every notification names the same customer, account and card (fields written out: an object
  // spread into a literal costs more than the rest of the notification's JavaScript).
  const customerId = card.customer_id;
  const accountId = account.id;
  const cardId = card.id;
  // A purchase or blocked attempt's notification is the authorization row itself
  // (store/notifications.repository.ts): nothing to write, only the cardholder's streams to wake.
  let notified = notifiesCardholder(decision);

  if (await applyCardChange(trx, ctx, decision.cardChange, { card, accountId, nowMs })) notified = true;

  if (decision.overLimit) {
    const amount = formatKd(row.billing_fils!, 'en'); // an approval always has its amount in fils
    await addNotification(trx, { customerId, accountId, cardId, nowMs, kind: 'over_limit_used', severity: 'alert',
      message: `You used your one-time exceed: ${amount} at ${e.request.merchantName}. Purchases above your limit will now be declined.`,
      data: { authorizationId: row.id } });
  }
  return notified ? [card.customer_id] : [];
}
