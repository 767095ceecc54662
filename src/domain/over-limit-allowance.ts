// The over-limit allowance (SPEC §3, "exceeding once"): one approval past the limit per customer
// for the life of their card accounts. Every change to it is a transition of this one function,
// state + event → next state; the verbs write the state it returns, column for column.
//
// Where each event comes from:
// - approved_over_limit: an authorization (rules.ts) or an advice (advise.ts) approved past the limit;
// - fully_reversed: a full reversal or reversal advice (reverse.ts), or an advice replacing a
//   pending decision (replace-decision.ts): that decision no longer stands;
// - expired: a hold that ran out (holds/expire-holds.ts writes nothing for the allowance, as this says);
// - carried_to_new_account: a card account opened after another (issue-card.ts); a replacement card
//   keeps its account, so its allowance does not move at all;
// - switched: the cardholder's switch (over-limit-switch.ts).

export interface OverLimitAllowance {
  /** The cardholder's switch (over_limit_enabled). */
  enabled: boolean;
  /** Spent (over_limit_used). */
  used: boolean;
  /** The approval that spent it, on this account (over_limit_auth_id): its full reversal gives it back. */
  usedByAuthorizationId: string | null;
  /** When it was spent (over_limit_used_at). */
  usedAtMs: number | null;
}

export type OverLimitEvent =
  | { type: 'approved_over_limit'; authorizationId: string; atMs: number }
  | { type: 'fully_reversed'; authorizationId: string }
  | { type: 'expired'; authorizationId: string }
  | { type: 'carried_to_new_account' }
  | { type: 'switched'; enabled: boolean };

/** A first card account's allowance: unused and switched on. */
export const FRESH_OVER_LIMIT_ALLOWANCE: Readonly<OverLimitAllowance> = Object.freeze({
  enabled: true, used: false, usedByAuthorizationId: null, usedAtMs: null,
});

/** Whether an approval past the limit may spend it (the limit rule of decideLimit asks the same). */
export const canSpendOverLimit = (a: Pick<OverLimitAllowance, 'enabled' | 'used'>) => a.enabled && !a.used;

/** The cardholder may switch it only while it is unused: a spent allowance stays as it is. */
export const canSwitchOverLimit = (a: Pick<OverLimitAllowance, 'used'>) => !a.used;

export function nextAllowance(state: Readonly<OverLimitAllowance>, event: OverLimitEvent): OverLimitAllowance {
  switch (event.type) {
    case 'approved_over_limit':
      // The decision checked this under the account's lock; spending twice would break SPEC §3's
      // "at most one over-limit authorization not fully reversed".
      if (!canSpendOverLimit(state)) throw new Error('the over-limit allowance is not there to spend');
      return { enabled: state.enabled, used: true, usedByAuthorizationId: event.authorizationId, usedAtMs: event.atMs };
    case 'fully_reversed':
      // Only the approval that spent it gives it back; an allowance carried over as used names none.
      return state.used && state.usedByAuthorizationId === event.authorizationId
        ? { enabled: state.enabled, used: false, usedByAuthorizationId: null, usedAtMs: null }
        : { ...state };
    case 'expired':
      // Its clearing may still arrive: an expired hold keeps the allowance spent.
      return { ...state };
    case 'carried_to_new_account':
      // It follows the customer: a new account starts switched on, spent if the earlier one was;
      // the approval that spent it stays on the earlier account, so the new one names none.
      return { enabled: true, used: state.used, usedByAuthorizationId: null, usedAtMs: null };
    case 'switched':
      return canSwitchOverLimit(state) ? { ...state, enabled: event.enabled } : { ...state };
  }
}
