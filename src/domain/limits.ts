// Limits and the over-limit allowance (SPEC §3). Pure: balances in, decision out. How the allowance
// changes is domain/over-limit-allowance.ts.
import { canSpendOverLimit } from './over-limit-allowance.js';

export interface AccountBalances {
  limitFils: number;
  postedFils: number;   // purchases + fees − refunds − payments
  heldFils: number;     // open holds
  overLimitEnabled: boolean;
  overLimitUsed: boolean;
}

export function outstandingFils(a: Pick<AccountBalances, 'postedFils' | 'heldFils'>): number {
  return a.postedFils + a.heldFils;
}

/** limit − max(outstanding, 0), never below zero: a credit balance never lifts spending power. */
export function availableFils(a: Pick<AccountBalances, 'limitFils' | 'postedFils' | 'heldFils'>): number {
  return Math.max(0, a.limitFils - Math.max(outstandingFils(a), 0));
}

/** The extra amount the over-limit allowance may reach, in fils. */
export function overLimitMarginFils(limitFils: number, marginPercent: number): number {
  return Math.floor((limitFils * marginPercent) / 100);
}

export type LimitDecision = 'within_limit' | 'over_limit_once' | 'declined';

export function decideLimit(a: AccountBalances, amountFils: number, marginPercent: number): LimitDecision {
  if (amountFils <= availableFils(a)) return 'within_limit';
  const canExceed = canSpendOverLimit({ enabled: a.overLimitEnabled, used: a.overLimitUsed });
  const ceiling = a.limitFils + overLimitMarginFils(a.limitFils, marginPercent);
  // max(outstanding, 0), as for available: a credit balance does not widen the allowance either.
  if (canExceed && Math.max(outstandingFils(a), 0) + amountFils <= ceiling) return 'over_limit_once';
  return 'declined';
}

export type LimitChangeCheck = 'ok' | 'not_allowed' | 'below_outstanding' | 'unchanged';

export function checkLimitChange(a: AccountBalances, newLimitFils: number, allowedLimits: number[]): LimitChangeCheck {
  if (!allowedLimits.includes(newLimitFils)) return 'not_allowed';
  if (newLimitFils === a.limitFils) return 'unchanged';
  if (newLimitFils < outstandingFils(a)) return 'below_outstanding';
  return 'ok';
}
