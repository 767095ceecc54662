// The authorization rules of SPEC §4 as data: an ordered list, each with an id, a condition,
// a response code and a reason. The first rule whose condition holds decides.
import type { AuthorizationRequest } from './authorization-request.js';
import {
  claimsAuthentication, isCardPresent, isCashOrAtm, isCredentialOnFile, isEcommerce,
  isMailOrTelephoneOrder, transactionType,
} from './channel.js';
import { decideLimit, type AccountBalances } from './limits.js';
import { isExpired } from './pan.js';

export type CardState = 'active' | 'frozen' | 'blocked' | 'lost' | 'stolen' | 'replaced' | 'cancelled' | 'expired';

export interface ProductRules {
  blockedMccs: string[];
  allowMailOrder: boolean;
  overLimitMarginPercent: number;
  threeDsThresholdFils: number | null;
}

/** Everything the rules need, loaded by the caller; no I/O happens here. */
export interface AuthorizationFacts {
  request: AuthorizationRequest;
  /** null: unknown PAN or Luhn failure. */
  card: { status: CardState; expiry: string } | null;
  /** null when no CVV2 was sent. */
  cvv2Matches: boolean | null;
  product: ProductRules;
  /** null: the currency has no rate. */
  billingFils: number | null;
  account: AccountBalances | null;
  /** Result of checking the CAVV against our 3-D Secure authentications. */
  authentication: Authentication;
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
  responseCode: string;
  reason: string;
  when: (f: AuthorizationFacts) => boolean;
}

const status = (f: AuthorizationFacts) => f.card?.status;
const authenticated = (f: AuthorizationFacts) => f.authentication === 'challenge' || f.authentication === 'frictionless';

export const AUTHORIZATION_RULES: readonly Rule[] = [
  { id: 'invalid_card', responseCode: '14', reason: 'invalid_card',
    when: (f) => f.card === null || status(f) === 'replaced' || status(f) === 'cancelled' },
  // Channel rows come before card-status rows: an attempt at an ATM or a shop is refused as such
  // and raises the cardholder's security alert, whatever the card's state.
  { id: 'channel_atm_or_cash', responseCode: '57', reason: 'channel_atm_or_cash',
    when: (f) => isCashOrAtm(f.request) },
  { id: 'channel_card_present', responseCode: '57', reason: 'channel_card_present',
    when: (f) => isCardPresent(f.request) },
  { id: 'channel_not_ecommerce', responseCode: '57', reason: 'channel_not_ecommerce',
    when: (f) => !isEcommerce(f.request) && !(isMailOrTelephoneOrder(f.request) && f.product.allowMailOrder) },
  { id: 'transaction_not_permitted', responseCode: '57', reason: 'transaction_not_permitted',
    when: (f) => transactionType(f.request) !== '00' },
  { id: 'mcc_blocked', responseCode: '57', reason: 'mcc_blocked',
    when: (f) => f.product.blockedMccs.includes(f.request.mcc) },
  { id: 'card_lost', responseCode: '41', reason: 'card_lost', when: (f) => status(f) === 'lost' },
  { id: 'card_stolen', responseCode: '43', reason: 'card_stolen', when: (f) => status(f) === 'stolen' },
  { id: 'card_frozen', responseCode: '62', reason: 'card_frozen', when: (f) => status(f) === 'frozen' },
  { id: 'card_blocked', responseCode: '62', reason: 'card_blocked', when: (f) => status(f) === 'blocked' },
  { id: 'expired_card', responseCode: '54', reason: 'expired_card',
    when: (f) => status(f) === 'expired' || f.request.expiry !== f.card!.expiry || isExpired(f.card!.expiry, f.nowMs) },
  { id: 'cvv2_mismatch', responseCode: 'N7', reason: 'cvv2_mismatch', when: (f) => f.cvv2Matches === false },
  { id: 'cvv2_required', responseCode: 'N7', reason: 'cvv2_required',
    when: (f) => f.cvv2Matches === null && f.authentication !== 'challenge' && !isCredentialOnFile(f.request) },
  { id: 'unsupported_currency', responseCode: '12', reason: 'unsupported_currency',
    when: (f) => f.billingFils === null },
  { id: 'invalid_amount', responseCode: '13', reason: 'invalid_amount', when: (f) => f.request.amount <= 0 },
  { id: 'authentication_failed', responseCode: '05', reason: 'authentication_failed',
    when: (f) => claimsAuthentication(f.request) && !authenticated(f) },
  { id: 'authentication_required', responseCode: '65', reason: 'authentication_required',
    when: (f) => f.product.threeDsThresholdFils !== null && f.billingFils! >= f.product.threeDsThresholdFils
      && !authenticated(f) },
  { id: 'over_limit', responseCode: '51', reason: 'over_limit',
    when: (f) => decideLimit(f.account!, f.billingFils!, f.product.overLimitMarginPercent) === 'declined' },
];

export interface AuthorizationDecision {
  approved: boolean;
  ruleId: string;
  responseCode: string;
  reason: string;
  overLimit: boolean;
}

export function decideAuthorization(f: AuthorizationFacts, rules: readonly Rule[] = AUTHORIZATION_RULES): AuthorizationDecision {
  for (const rule of rules) {
    if (rule.when(f)) {
      return { approved: false, ruleId: rule.id, responseCode: rule.responseCode, reason: rule.reason, overLimit: false };
    }
  }
  const overLimit = decideLimit(f.account!, f.billingFils!, f.product.overLimitMarginPercent) === 'over_limit_once';
  return overLimit
    ? { approved: true, ruleId: 'approved_over_limit', responseCode: '00', reason: 'approved_over_limit', overLimit }
    : { approved: true, ruleId: 'approved', responseCode: '00', reason: 'approved', overLimit };
}

/** Declines that mean someone tried the card where it can never work: the cardholder is alerted. */
export const SECURITY_ALERT_RULES = new Set(['channel_atm_or_cash', 'channel_card_present']);

/**
 * The authorizations the cardholder is told of: every purchase and every blocked attempt. Their
 * notifications are the authorization rows themselves (store/notifications.repository.ts).
 */
export function notifiesCardholder(d: Pick<AuthorizationDecision, 'approved' | 'ruleId'>): boolean {
  return d.approved || SECURITY_ALERT_RULES.has(d.ruleId);
}
/** Declines that count toward the card-testing freeze (SPEC §2). */
export const VERIFICATION_FAILURE_RULES = new Set(['expired_card', 'cvv2_mismatch']);
/** Consecutive CVV2 / expiry failures that freeze the card (SPEC §2). */
export const CARD_TESTING_FREEZE_AFTER = 5;
