// Advices (SPEC §5): the network decided on the issuer's behalf (stand-in) and says so afterwards.
// The network's decision stands; the issuer records it and flags for review what its own rules
// would have decided otherwise. Pure: facts in, the outcome to record out.
import type { AuthorizationDecision } from './rules.js';
import { availableFils, type AccountBalances } from './limits.js';

export interface AdviceFacts {
  /** The network's decision: "00" approved, anything else declined. */
  networkResponseCode: string;
  processingCode: string;
  /** null: the billing amount could not be computed (no rate and no network billingAmount). */
  billingFils: number | null;
  /** null: no card account (unknown card). */
  account: AccountBalances | null;
  /** What the issuer's own rules decide on the same message (decideAuthorization). */
  issuer: Pick<AuthorizationDecision, 'approved'>;
  /** The decision this advice replaces no longer has a hold to replace (cleared, expired, reversed). */
  replacesSettled: boolean;
}

export interface AdviceOutcome {
  approved: boolean;
  ruleId: 'advice_approved' | 'advice_declined' | 'refund_approved';
  reason: 'approved' | 'approved_over_limit' | 'declined_by_network' | 'refund_approved';
  /** The hold the advice creates, fils (0 for a decline, a refund, or an unknown amount or account). */
  holdFils: number;
  /** An approval that goes past the limit spends the unused, switched-on allowance. */
  overLimit: boolean;
  needsReview: boolean;
}

export const isRefund = (processingCode: string) => processingCode.startsWith('20');

export function decideAdvice(f: AdviceFacts): AdviceOutcome {
  const approved = f.networkResponseCode === '00';
  const needsReview = f.issuer.approved !== approved || f.replacesSettled
    // The network approved what the issuer cannot price or place: nothing is held, a person looks.
    || (approved && !isRefund(f.processingCode) && (f.billingFils === null || f.account === null));
  if (!approved) return { approved, ruleId: 'advice_declined', reason: 'declined_by_network', holdFils: 0, overLimit: false, needsReview };
  // A refund is a pending refund, as a refund authorization is (same rule id: told of when its
  // clearing brings the money, found by that clearing): no hold, the money comes with the clearing.
  if (isRefund(f.processingCode)) return { approved, ruleId: 'refund_approved', reason: 'refund_approved', holdFils: 0, overLimit: false, needsReview };
  if (f.billingFils === null || f.account === null) {
    return { approved, ruleId: 'advice_approved', reason: 'approved', holdFils: 0, overLimit: false, needsReview };
  }
  // Past the limit the network's decision still stands: the allowance is spent when it can be,
  // otherwise outstanding simply goes past (the limit invariants do not bind the network).
  const overLimit = f.billingFils > availableFils(f.account) && f.account.overLimitEnabled && !f.account.overLimitUsed;
  return {
    approved, ruleId: 'advice_approved', reason: overLimit ? 'approved_over_limit' : 'approved',
    holdFils: f.billingFils, overLimit, needsReview,
  };
}
