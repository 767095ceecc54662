// The pay page's one-tap amounts. Only the posted balance can be paid (SPEC §5); pending holds
// count against the limit but are not owed yet. "Back under the limit" is the least payment that
// brings outstanding (posted + pending) to the limit or below — at most the posted balance, so when
// pending holds alone keep the account over, there is no such amount to offer.

export interface PayAmounts { allPostedFils: number | null; backUnderLimitFils: number | null }

export function payAmounts(o: { postedFils: number; pendingFils: number; limitFils: number }): PayAmounts {
  const allPostedFils = o.postedFils > 0 ? o.postedFils : null;
  const over = o.postedFils + o.pendingFils - o.limitFils;
  const backUnderLimitFils = over > 0 && over < o.postedFils ? over : null;
  return { allPostedFils, backUnderLimitFils };
}
