// Ledger integrity (SPEC §5): recompute every balance from the transfers and compare with the
// cached balances. Pure: sums in, differences out. `net` of a ledger account = debits − credits.

export interface LedgerSums {
  /** Total amount of posted transfers, seen from the debit side and from the credit side. */
  postedDebits: number;
  postedCredits: number;
  /** Transfers with amount ≤ 0 (never valid). */
  nonPositive: number;
  /** Net of posted transfers per ledger account (debits − credits). */
  postedNet: Map<string, number>;
  /** Net of open pending transfers (not voided) per ledger account. */
  openPendingNet: Map<string, number>;
}

export interface CachedBalances {
  cardAccounts: Array<{ id: string; postedFils: number; heldFils: number; pendingAuthorizationHoldFils: number }>;
  currentAccounts: Array<{ id: string; balanceFils: number }>;
}

export interface LedgerDifference {
  check: 'debits_equal_credits' | 'positive_amounts' | 'card_posted' | 'card_held' | 'authorization_holds' | 'current_balance';
  subject: string;
  ledger: number;
  cached: number;
}

export function compareLedger(sums: LedgerSums, cached: CachedBalances): LedgerDifference[] {
  const out: LedgerDifference[] = [];
  if (sums.postedDebits !== sums.postedCredits) {
    out.push({ check: 'debits_equal_credits', subject: 'ledger', ledger: sums.postedDebits, cached: sums.postedCredits });
  }
  if (sums.nonPositive > 0) out.push({ check: 'positive_amounts', subject: 'ledger', ledger: sums.nonPositive, cached: 0 });
  for (const a of cached.cardAccounts) {
    const ledgerAccount = `card:${a.id}`;
    const posted = sums.postedNet.get(ledgerAccount) ?? 0;
    const held = sums.openPendingNet.get(ledgerAccount) ?? 0;
    if (posted !== a.postedFils) out.push({ check: 'card_posted', subject: a.id, ledger: posted, cached: a.postedFils });
    if (held !== a.heldFils) out.push({ check: 'card_held', subject: a.id, ledger: held, cached: a.heldFils });
    if (held !== a.pendingAuthorizationHoldFils) {
      out.push({ check: 'authorization_holds', subject: a.id, ledger: held, cached: a.pendingAuthorizationHoldFils });
    }
  }
  for (const c of cached.currentAccounts) {
    // The bank owes the customer their current account: its balance is credits − debits.
    const balance = -(sums.postedNet.get(`current:${c.id}`) ?? 0);
    if (balance !== c.balanceFils) out.push({ check: 'current_balance', subject: c.id, ledger: balance, cached: c.balanceFils });
  }
  return out;
}
