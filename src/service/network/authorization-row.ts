// What an authorization writes, built from its decision: the authorization row, the hold's pending
// transfer (an approved purchase) and the account's move (the hold, the chain heads, the over-limit
// allowance the decision returned). store/authorization-writes.repository.ts writes them as they are.
import { newAuthCode } from '../../domain/auth-code.js';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import type { Product } from '../../domain/product.js';
import { notifiesCardholder, type AuthorizationDecision } from '../../domain/rules.js';
import type { AccountMove, AuthorizationWrites } from '../../store/authorization-writes.repository.js';
import type { AuthorizingAccount, AuthorizingCard } from '../../store/cards.repository.js';
import { cardLedger, NETWORK_SETTLEMENT, pendingTransfer } from '../../store/ledger.repository.js';
import type { Authorization } from '../../store/schema.js';
import type { AuthorizationConversion } from './authorization-facts.js';

export interface RecordArgs {
  request: AuthorizationRequest; networkClient: string;
  id: string; createdAt: number; key: string; hash: string;
  card: AuthorizingCard | undefined; account: AuthorizingAccount | undefined; product: Product;
  conversion: AuthorizationConversion | null; decision: AuthorizationDecision; nowMs: number;
}

export function authorizationWrites(a: RecordArgs): AuthorizationWrites {
  const { request, account, decision, id, createdAt } = a;
  const billingFils = a.conversion?.billingFils ?? null;
  const notified = account !== undefined && notifiesCardholder(decision);
  const change = decision.accountChange;
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
    request_hash: a.hash, network_client: a.networkClient, acquirer_id: request.acquirerId,
    rrn: request.rrn, stan: request.stan, processing_code: request.processingCode, amount: request.amount,
    currency: request.currency, billing_fils: billingFils, fx_rate: a.conversion?.rate ?? null,
    mcc: request.mcc, merchant_id: request.merchantId, merchant_name: request.merchantName,
    merchant_country: request.merchantCountry, pos_entry_mode: request.posEntryMode,
    response_code: decision.responseCode, reason: decision.reason, rule_id: decision.ruleId,
    approved: decision.approved ? 1 : 0, auth_code: decision.approved ? newAuthCode() : null,
    over_limit: decision.overLimit ? 1 : 0, hold_fils: holdFils ?? 0,
    // A pending refund expires like a hold when its clearing never comes (SPEC §5).
    hold_transfer_id: transfer?.id ?? null, status: decision.approved ? 'pending' : decision.ruleId === 'verified' ? 'verified' : 'declined',
    expires_at: decision.approved ? a.nowMs + a.product.holdLifetimeDays * 86_400_000 : null,
    created_at: createdAt, updated_at: createdAt,
    prev_authorization_id: account?.last_authorization_id ?? null,
    prev_notified_authorization_id: notified && account ? account.last_notified_authorization_id : null,
    network_billing_fils: a.conversion?.networkBillingFils ?? null,
    source: 'issuer', needs_review: 0, superseded_by: null,
  };
  return { transfer, move, row };
}
