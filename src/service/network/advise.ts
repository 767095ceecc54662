// Authorization advices (ISO 0120, SPEC §5): the network decided in stand-in and tells the issuer.
// Always acknowledged ("00"); idempotent like an authorization (the same key and content answer as
// the first time, the same key with other content is 94 and creates nothing). The network's
// decision stands: an approval holds its amount even past the limit, a decline is recorded as one;
// the issuer's own rules run on the same message, and a different verdict flags it for review. An
// advice with the acquirerId + rrn of a decision already taken replaces it and its hold.
import { newAuthCode } from '../../domain/auth-code.js';
import { decideAdvice, type AdviceOutcome } from '../../domain/advice.js';
import { recordedAt } from '../../domain/authorization-chain.js';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { formatKd } from '../../domain/money.js';
import { isValidPan } from '../../domain/pan.js';
import { DEFAULT_PRODUCT_CODE, type Product } from '../../domain/product.js';
import { nextAllowance } from '../../domain/over-limit-allowance.js';
import { cavvVerified, decideAuthorization, notifiesCardholder, SECURITY_ALERT_RULES, type AuthorizationDecision } from '../../domain/rules.js';
import { describeReason } from '../../domain/texts/descriptions.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { readForAuthorization } from '../../store/authorization-reads.repository.js';
import { lockAccount, overLimitAllowanceOf, overLimitColumns, type AuthorizingCard } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { cardLedger, insertTransferRow, NETWORK_SETTLEMENT, pendingTransfer } from '../../store/ledger.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import type { Authorization, CardAccount } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { useCavv } from '../three-ds/verify-cavv.js';
import { convert, loadAuthorizationFacts, type AuthorizationConversion } from './authorization-facts.js';
import { hashedContent, idempotencyKey, requestHash } from './request-identity.js';
import { countVerificationFailure } from './count-verification-failure.js';
import { releaseReplaced } from './replace-decision.js';

export interface AdviceRequest extends AuthorizationRequest {
  /** The network's decision; "00" approved. */
  responseCode: string;
  /** The approval code the network gave the merchant (recorded for clearing). */
  authCode?: string;
  /** The network's conversion, fils (ISO DE 6). */
  billingAmount?: number;
}

export interface AdviceResponse {
  responseCode: string;
  reason?: string;
  authorizationId: string;
  billingAmount?: number;
  needsReview: boolean;
}

export interface AdviceOutcomeResult { response: AdviceResponse; notify: string[]; replayed: boolean }

/** Advices keep their own keys: a 0120 may repeat the STAN and time of the 0100 it stands in for. */
export const adviceIdempotencyKey = (networkClient: string, r: Parameters<typeof idempotencyKey>[1]) => `advice|${idempotencyKey(networkClient, r)}`;

function responseOf(row: Authorization): AdviceResponse {
  const response: AdviceResponse = { responseCode: '00', authorizationId: row.id, needsReview: row.needs_review === 1 };
  if (row.billing_fils !== null) response.billingAmount = row.billing_fils;
  return response;
}

export async function advise(trx: Trx, ctx: ServiceContext, input: { request: AdviceRequest; networkClient: string; sourceIp?: string | null }): Promise<AdviceOutcomeResult> {
  const { request, networkClient } = input;
  const nowMs = ctx.clock.now();
  const key = adviceIdempotencyKey(networkClient, request);
  const hash = requestHash(hashedContent(request));
  const reads = await readForAuthorization(trx, ctx.handle.dialect, key,
    isValidPan(request.pan) ? ctx.keyring.fingerprint(request.pan) : null, DEFAULT_PRODUCT_CODE);
  if (reads.previousId !== undefined) {
    const previous = (await trx.selectFrom('authorizations').selectAll().where('id', '=', reads.previousId).executeTakeFirstOrThrow());
    if (previous.request_hash === hash) return { response: responseOf(previous), notify: [], replayed: true };
    return { response: { responseCode: '94', reason: 'duplicate_transmission', authorizationId: previous.id, needsReview: false }, notify: [], replayed: true };
  }
  const { card, product } = reads;
  const createdAt = reads.account ? recordedAt(nowMs, reads.account.last_authorization_at) : nowMs;
  const id = newId('auth', createdAt);

  // The decision this advice replaces: released first, so the issuer's rules see the account without it.
  // Only a decision on this advice's card: an rrn is the acquirer's, not unique across cards, and an
  // advice naming another card's rrn must not release that card's hold.
  const replaced = await trx.selectFrom('authorizations').selectAll()
    .where('acquirer_id', '=', request.acquirerId).where('rrn', '=', request.rrn)
    .where('network_client', '=', networkClient).where('superseded_by', 'is', null)
    .where('card_id', card ? '=' : 'is', card ? card.id : null)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (replaced) await releaseReplaced(trx, ctx, { replaced, by: id, networkClient, nowMs });
  const account = reads.account ? (await lockAccount(trx, ctx.handle.dialect, reads.account.id))! : undefined;

  const conversion = await convert(trx, request, product);
  const billingFils = conversion?.billingFils ?? null;
  const networkApproved = request.responseCode === '00';
  const facts = await loadAuthorizationFacts(trx, ctx, { id, request, card, account, product, billingFils, nowMs });
  const { authentication, account: balances } = facts;
  const issuer = decideAuthorization(facts);
  // A CAVV is spent only by an approval, as in an authorization: here the network's.
  if (networkApproved && cavvVerified(authentication)) await useCavv(trx, request, nowMs);
  const outcome = decideAdvice({
    networkResponseCode: request.responseCode, processingCode: request.processingCode, billingFils, account: balances,
    issuer, replacesSettled: replaced !== undefined && replaced.status !== 'pending' && replaced.status !== 'declined',
  });

  const row = await record(trx, { input, id, key, hash, createdAt, card, account, product, conversion, outcome, nowMs });
  await appendAudit(trx, {
    accountId: row.account_id, actorType: 'network', actorId: networkClient,
    action: outcome.approved ? 'advice.approved' : 'advice.declined', subject: id, sourceIp: input.sourceIp,
    after: {
      responseCode: row.response_code, reason: row.reason, billingFils, holdFils: row.hold_fils, overLimit: outcome.overLimit,
      issuerResponseCode: issuer.responseCode, issuerRuleId: issuer.ruleId, needsReview: outcome.needsReview,
      replaced: replaced?.id ?? null, cardId: row.card_id,
    },
    nowMs,
  });
  const notify = await sideEffects(trx, { request, card, account, issuer, outcome, row, nowMs });
  // The advice carries a CVV2 and an expiry the issuer judges (needsReview tells the verdict): a
  // wrong one counts toward the card-testing freeze as in an authorization, or advices would let
  // a client guess without limit.
  // The network's approval is not the issuer's: only a failure is taken from the issuer's verdict.
  if (card && account && issuer.cardChange === 'verification_failed'
    && await countVerificationFailure(trx, ctx, { card, accountId: account.id, nowMs })) notify.push(card.customer_id);
  return { response: responseOf(row), notify, replayed: false };
}



interface RecordArgs {
  input: { request: AdviceRequest; networkClient: string }; id: string; key: string; hash: string; createdAt: number;
  card: AuthorizingCard | undefined; account: CardAccount | undefined; product: Product; conversion: AuthorizationConversion | null;
  outcome: AdviceOutcome; nowMs: number;
}

/** The advice's authorization row, its hold and the account's move (its chains, the allowance). */
async function record(trx: Trx, a: RecordArgs): Promise<Authorization> {
  const { request } = a.input;
  const { account, outcome, id } = a;
  const notified = account !== undefined && notifiesCardholder({ approved: outcome.approved, ruleId: outcome.ruleId });
  const holdFils = account ? outcome.holdFils : 0;
  const transfer = holdFils > 0 ? pendingTransfer({
    accountId: account!.id, debit: cardLedger(account!.id), credit: NETWORK_SETTLEMENT, amountFils: holdFils,
    reference: `authorization:${id}`, nowMs: a.nowMs,
  }) : null;
  if (transfer) await insertTransferRow(trx, transfer);
  if (account) {
    const allowance = overLimitAllowanceOf(account);
    await trx.updateTable('card_accounts').set({
      held_fils: account.held_fils + holdFils, last_authorization_id: id, last_authorization_at: a.createdAt,
      last_notified_authorization_id: notified ? id : account.last_notified_authorization_id,
      ...overLimitColumns(outcome.overLimit ? nextAllowance(allowance, { type: 'approved_over_limit', authorizationId: id, atMs: a.nowMs }) : allowance),
    }).where('id', '=', account.id).execute();
  }
  const row: Authorization = {
    id, account_id: account?.id ?? null, card_id: a.card?.id ?? null, idempotency_key: a.key, request_hash: a.hash,
    network_client: a.input.networkClient, acquirer_id: request.acquirerId, rrn: request.rrn, stan: request.stan,
    processing_code: request.processingCode, amount: request.amount, currency: request.currency,
    billing_fils: a.conversion?.billingFils ?? null, fx_rate: a.conversion?.rate ?? null,
    network_billing_fils: a.conversion?.networkBillingFils ?? null, mcc: request.mcc,
    merchant_id: request.merchantId, merchant_name: request.merchantName, merchant_country: request.merchantCountry,
    pos_entry_mode: request.posEntryMode, response_code: request.responseCode, reason: outcome.reason, rule_id: outcome.ruleId,
    approved: outcome.approved ? 1 : 0, auth_code: outcome.approved ? request.authCode ?? newAuthCode() : null,
    over_limit: outcome.overLimit ? 1 : 0, hold_fils: holdFils, hold_transfer_id: transfer?.id ?? null,
    // An approval holds nothing when it is a refund or nothing could be priced: still pending its clearing.
    status: outcome.approved ? 'pending' : 'declined',
    expires_at: outcome.approved ? a.nowMs + a.product.holdLifetimeDays * 86_400_000 : null,
    created_at: a.createdAt, updated_at: a.createdAt,
    prev_authorization_id: account?.last_authorization_id ?? null,
    prev_notified_authorization_id: notified ? account!.last_notified_authorization_id : null,
    source: 'advice', needs_review: outcome.needsReview ? 1 : 0, superseded_by: null,
  };
  await trx.insertInto('authorizations').values(row).execute();
  return row;
}

interface EffectArgs {
  request: AdviceRequest; card: AuthorizingCard | undefined; account: CardAccount | undefined;
  issuer: AuthorizationDecision; outcome: AdviceOutcome; row: Authorization; nowMs: number;
}

/** The cardholder's security alert (an ATM or a shop, whatever the network decided) and the allowance's notice. */
async function sideEffects(trx: Trx, e: EffectArgs): Promise<string[]> {
  const { card, account, row, nowMs } = e;
  if (!card || !account) return [];
  const common = { customerId: card.customer_id, accountId: account.id, cardId: card.id, nowMs };
  let notified = e.outcome.approved;
  if (SECURITY_ALERT_RULES.has(e.issuer.ruleId)) {
    const where = describeReason(e.issuer.reason, 'en');
    await addNotification(trx, { ...common, kind: 'advice_security_alert', severity: 'alert',
      message: e.outcome.approved
        ? `Security alert: your card was used at ${e.request.merchantName} and the card network approved it while we could not be reached. ${where} If this was not you, report your card.`
        : `Security alert: someone tried your card at ${e.request.merchantName}. ${where}`,
      data: { authorizationId: row.id, reason: e.issuer.reason, merchantName: e.request.merchantName, approved: e.outcome.approved } });
    notified = true;
  }
  if (e.outcome.overLimit) {
    await addNotification(trx, { ...common, kind: 'over_limit_used', severity: 'alert',
      message: `You used your over-limit allowance: ${formatKd(row.hold_fils, 'en')} at ${e.request.merchantName}. Purchases above your limit will now be declined.`,
      data: { authorizationId: row.id } });
    notified = true;
  }
  return notified ? [card.customer_id] : [];
}
