// The authorization rules of SPEC §4 as data: an ordered list, each with an id, a condition,
// a response code and a reason. The first rule whose condition holds decides.
import type { AuthorizationRequest } from './authorization-request.js';
import {
  claimsAuthentication, isCardPresent, isCashOrAtm, isCredentialOnFile, isEcommerce,
  isMailOrTelephoneOrder, transactionType,
} from './channel.js';
import type { CardTestingEvent } from './card-testing-guard.js';
import { decideLimit, type AccountBalances } from './limits.js';
import { nextAllowance, type OverLimitAllowance } from './over-limit-allowance.js';
import { isExpired } from './pan.js';

export { CARD_TESTING_FREEZE_AFTER } from './card-testing-guard.js';

export type CardState = 'active' | 'frozen' | 'blocked' | 'lost' | 'stolen' | 'replaced' | 'cancelled' | 'expired';

export interface ProductRules {
  blockedMccs: string[];
  allowMailOrder: boolean;
  overLimitMarginPercent: number;
  threeDsThresholdFils: number | null;
}

/**
 * What an authorization asks for (SPEC §4): a purchase; a refund (processing code 20), which only
 * the 14, channel and 13 rows decide; an account verification (amount 0 on a purchase), which
 * every row but 51 decides and which is answered 85 instead of approved.
 */
export type AuthorizationKind = 'purchase' | 'refund' | 'verification';

export function authorizationKind(r: Pick<AuthorizationRequest, 'processingCode' | 'amount'>): AuthorizationKind {
  if (transactionType(r) === '20') return 'refund';
  return transactionType(r) === '00' && r.amount === 0 ? 'verification' : 'purchase';
}

/** The card account as the rules see it: balances, and the over-limit allowance in full (it may change). */
export interface AccountFacts extends AccountBalances {
  /** over_limit_auth_id: the approval that spent the allowance, if it stands on this account. */
  overLimitAuthorizationId: string | null;
  /** over_limit_used_at */
  overLimitUsedAtMs: number | null;
}

/** Everything the rules need, loaded by the caller; no I/O happens here. */
export interface AuthorizationFacts {
  /** The id the authorization is recorded under: an approval over the limit names it on the account. */
  authorizationId: string;
  request: AuthorizationRequest;
  /** null: unknown PAN or Luhn failure. */
  card: { status: CardState; expiry: string } | null;
  /** null when no CVV2 was sent. */
  cvv2Matches: boolean | null;
  product: ProductRules;
  /** null: the currency has no rate. */
  billingFils: number | null;
  account: AccountFacts | null;
  /** Result of checking the CAVV against our 3-D Secure authentications. */
  authentication: Authentication;
  /** false: the card's account is closed (a refund to a replaced card still reaches an open one). */
  accountOpen: boolean;
  /**
   * The request's initialTransactionId names an approved purchase or an account verification of
   * the same card account at the same merchantId (credential on file, SPEC §4).
   */
  storedCredential: boolean;
  nowMs: number;
}

/**
 * A CAVV that verifies names how the cardholder was authenticated: a `challenge` they approved
 * with their code, or `frictionless` (the issuer's risk decision). Both authenticate; only a
 * challenge waives CVV2 (SPEC §4, §7).
 */
export type Authentication = 'challenge' | 'frictionless' | 'failed' | 'none';

export interface Rule {
  id: string;
  /** A code, or one per card scheme (3-D Secure's 1A on Visa, 65 otherwise). */
  responseCode: string | ((f: AuthorizationFacts) => string);
  reason: string;
  when: (f: AuthorizationFacts) => boolean;
  /** The kinds of authorization the row decides; a row that names none decides purchases and verifications. */
  kinds?: readonly AuthorizationKind[];
}

const ALL_KINDS: readonly AuthorizationKind[] = ['purchase', 'refund', 'verification'];
const DEFAULT_KINDS: readonly AuthorizationKind[] = ['purchase', 'verification'];

const status = (f: AuthorizationFacts) => f.card?.status;
/** A CAVV that verified, however the cardholder was authenticated. */
export const cavvVerified = (a: Authentication) => a === 'challenge' || a === 'frictionless';
const authenticated = (f: AuthorizationFacts) => cavvVerified(f.authentication);
const kind = (f: AuthorizationFacts) => authorizationKind(f.request);
/** A card of the Visa scheme: its PAN starts with 4. */
export const isVisa = (pan: string) => pan.startsWith('4');

export const AUTHORIZATION_RULES: readonly Rule[] = [
  // A refund of a purchase made with a replaced number still reaches its account while it is open.
  { id: 'invalid_card', responseCode: '14', reason: 'invalid_card', kinds: ALL_KINDS,
    when: (f) => f.card === null || status(f) === 'cancelled'
      || (kind(f) === 'refund' ? !f.accountOpen : status(f) === 'replaced') },
  // Channel rows come before card-status rows: an attempt at an ATM or a shop is refused as such
  // and raises the cardholder's security alert, whatever the card's state.
  { id: 'channel_atm_or_cash', responseCode: '57', reason: 'channel_atm_or_cash', kinds: ALL_KINDS,
    when: (f) => isCashOrAtm(f.request) },
  { id: 'channel_card_present', responseCode: '57', reason: 'channel_card_present', kinds: ALL_KINDS,
    when: (f) => isCardPresent(f.request) },
  { id: 'channel_not_ecommerce', responseCode: '57', reason: 'channel_not_ecommerce', kinds: ALL_KINDS,
    when: (f) => !isEcommerce(f.request) && !(isMailOrTelephoneOrder(f.request) && f.product.allowMailOrder) },
  { id: 'transaction_not_permitted', responseCode: '57', reason: 'transaction_not_permitted',
    when: (f) => transactionType(f.request) !== '00' && transactionType(f.request) !== '20' },
  { id: 'mcc_blocked', responseCode: '57', reason: 'mcc_blocked',
    when: (f) => f.product.blockedMccs.includes(f.request.mcc) },
  { id: 'card_lost', responseCode: '41', reason: 'card_lost', when: (f) => status(f) === 'lost' },
  { id: 'card_stolen', responseCode: '43', reason: 'card_stolen', when: (f) => status(f) === 'stolen' },
  { id: 'card_frozen', responseCode: '62', reason: 'card_frozen', when: (f) => status(f) === 'frozen' },
  { id: 'card_blocked', responseCode: '62', reason: 'card_blocked', when: (f) => status(f) === 'blocked' },
  { id: 'expired_card', responseCode: '54', reason: 'expired_card',
    when: (f) => f.card === null || status(f) === 'expired' || f.request.expiry !== f.card.expiry || isExpired(f.card.expiry, f.nowMs) },
  { id: 'cvv2_mismatch', responseCode: 'N7', reason: 'cvv2_mismatch', when: (f) => f.cvv2Matches === false },
  { id: 'cvv2_required', responseCode: 'N7', reason: 'cvv2_required',
    when: (f) => f.cvv2Matches === null && f.authentication !== 'challenge'
      && !(isCredentialOnFile(f.request) && f.storedCredential) },
  { id: 'unsupported_currency', responseCode: '12', reason: 'unsupported_currency',
    when: (f) => f.billingFils === null },
  // Amount 0 is an account verification on a purchase, and nothing at all on a refund.
  { id: 'invalid_amount', responseCode: '13', reason: 'invalid_amount', kinds: ALL_KINDS,
    when: (f) => f.request.amount < 0 || (f.request.amount === 0 && kind(f) !== 'verification') },
  { id: 'authentication_failed', responseCode: '05', reason: 'authentication_failed',
    when: (f) => claimsAuthentication(f.request) && !authenticated(f) },
  { id: 'authentication_required', responseCode: (f) => (isVisa(f.request.pan) ? '1A' : '65'), reason: 'authentication_required',
    when: (f) => f.product.threeDsThresholdFils !== null && !authenticated(f)
      && (f.billingFils === null || f.billingFils >= f.product.threeDsThresholdFils) },
  // An account verification authorizes nothing: the limits do not apply to it.
  { id: 'over_limit', responseCode: '51', reason: 'over_limit', kinds: ['purchase'],
    when: (f) => f.account === null || f.billingFils === null
      || decideLimit(f.account, f.billingFils, f.product.overLimitMarginPercent) === 'declined' },
];

/** What an authorization changes on its card account, as values the store writes. */
export interface AccountChange {
  /** The hold it adds, fils; null: it holds nothing (a decline, a refund, a verification). */
  holdFils: number | null;
  /** The over-limit allowance after it (domain/over-limit-allowance.ts). */
  overLimit: OverLimitAllowance;
}

export interface AuthorizationDecision {
  approved: boolean;
  ruleId: string;
  responseCode: string;
  reason: string;
  overLimit: boolean;
  /** null: no card account (an unknown card). */
  accountChange: AccountChange | null;
  /** What the decision tells the card-testing guard (domain/card-testing-guard.ts); null: nothing. */
  cardChange: CardTestingEvent | null;
}

type Verdict = Pick<AuthorizationDecision, 'approved' | 'ruleId' | 'responseCode' | 'reason' | 'overLimit'>;

const REFUND_APPROVED: Verdict = { approved: true, ruleId: 'refund_approved', responseCode: '00', reason: 'refund_approved', overLimit: false };
/** An account verification that passed every row: `approved` is false, since nothing is authorized. */
const VERIFIED: Verdict = { approved: false, ruleId: 'verified', responseCode: '85', reason: 'verified', overLimit: false };
const APPROVED: Verdict = { approved: true, ruleId: 'approved', responseCode: '00', reason: 'approved', overLimit: false };
const APPROVED_OVER_LIMIT: Verdict = { approved: true, ruleId: 'approved_over_limit', responseCode: '00', reason: 'approved_over_limit', overLimit: true };

export function decideAuthorization(f: AuthorizationFacts, rules: readonly Rule[] = AUTHORIZATION_RULES): AuthorizationDecision {
  return withChanges(f, verdict(f, rules));
}

function verdict(f: AuthorizationFacts, rules: readonly Rule[]): Verdict {
  const k = kind(f);
  for (const rule of rules) {
    if ((rule.kinds ?? DEFAULT_KINDS).includes(k) && rule.when(f)) {
      const responseCode = typeof rule.responseCode === 'function' ? rule.responseCode(f) : rule.responseCode;
      return { approved: false, ruleId: rule.id, responseCode, reason: rule.reason, overLimit: false };
    }
  }
  if (k === 'refund') return REFUND_APPROVED;
  if (k === 'verification') return VERIFIED;
  const overLimit = f.account !== null && f.billingFils !== null
    && decideLimit(f.account, f.billingFils, f.product.overLimitMarginPercent) === 'over_limit_once';
  return overLimit ? APPROVED_OVER_LIMIT : APPROVED;
}

/** The allowance as the account holds it. */
export function overLimitAllowanceOf(a: AccountFacts): OverLimitAllowance {
  return { enabled: a.overLimitEnabled, used: a.overLimitUsed, usedByAuthorizationId: a.overLimitAuthorizationId, usedAtMs: a.overLimitUsedAtMs };
}

/** The verdict with what it changes: the account's hold and allowance, the card-testing count. */
function withChanges(f: AuthorizationFacts, v: Verdict): AuthorizationDecision {
  // An approved refund only announces money coming: no hold, `available` unchanged (SPEC §4).
  const holds = v.approved && kind(f) !== 'refund';
  let accountChange: AccountChange | null = null;
  if (f.account !== null) {
    const allowance = overLimitAllowanceOf(f.account);
    accountChange = {
      holdFils: holds ? f.billingFils : null,
      overLimit: v.overLimit ? nextAllowance(allowance, { type: 'approved_over_limit', authorizationId: f.authorizationId, atMs: f.nowMs }) : allowance,
    };
  }
  const cardChange: CardTestingEvent | null = f.card === null ? null
    : countsTowardCardTesting(v, f.card, f.request) ? 'verification_failed'
      : provesCard(v) ? 'card_proven' : null;
  // Written out (no spread): every authorization builds one.
  return {
    approved: v.approved, ruleId: v.ruleId, responseCode: v.responseCode, reason: v.reason, overLimit: v.overLimit,
    accountChange, cardChange,
  };
}

/** Declines that mean someone tried the card where it can never work: the cardholder is alerted. */
export const SECURITY_ALERT_RULES = new Set(['channel_atm_or_cash', 'channel_card_present']);

/**
 * The authorizations the cardholder is told of: every purchase and every blocked attempt. Their
 * notifications are the authorization rows themselves (store/notifications.repository.ts).
 */
export function notifiesCardholder(d: Pick<AuthorizationDecision, 'approved' | 'ruleId'>): boolean {
  // A refund is told of when its money arrives (the clearing's notification), not when announced.
  return (d.approved && d.ruleId !== 'refund_approved') || SECURITY_ALERT_RULES.has(d.ruleId);
}

/**
 * Decisions that show the card works at a merchant: an approved purchase or an account
 * verification. They reset the card-testing count and make the merchant known (credential on
 * file, 3-D Secure); a refund does neither. Migration 14 (store/migrations.ts) lists the same rule
 * ids, frozen, for the approvals kept before known_merchants existed.
 */
export const PROVES_CARD_RULES: ReadonlySet<string> = new Set(['approved', 'approved_over_limit', 'verified']);
export const provesCard = (d: Pick<AuthorizationDecision, 'ruleId'>) => PROVES_CARD_RULES.has(d.ruleId);
/**
 * A decline that counts toward the card-testing freeze (SPEC §2): a wrong CVV2 or a wrong expiry,
 * a wrong value and not a missing one — not a card past its expiry month sent with the right one.
 */
export function countsTowardCardTesting(d: Pick<AuthorizationDecision, 'ruleId'>, card: { expiry: string }, request: { expiry: string }): boolean {
  return d.ruleId === 'cvv2_mismatch' || (d.ruleId === 'expired_card' && request.expiry !== card.expiry);
}
