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
    const postedFils = sums.postedNet.get(ledgerAccount) ?? 0;
    const heldFils = sums.openPendingNet.get(ledgerAccount) ?? 0;
    if (postedFils !== a.postedFils) out.push({ check: 'card_posted', subject: a.id, ledger: postedFils, cached: a.postedFils });
    if (heldFils !== a.heldFils) out.push({ check: 'card_held', subject: a.id, ledger: heldFils, cached: a.heldFils });
    if (heldFils !== a.pendingAuthorizationHoldFils) {
      out.push({ check: 'authorization_holds', subject: a.id, ledger: heldFils, cached: a.pendingAuthorizationHoldFils });
    }
  }
  for (const c of cached.currentAccounts) {
    // The bank owes the customer their current account: its balance is credits − debits.
    const balanceFils = -(sums.postedNet.get(`current:${c.id}`) ?? 0);
    if (balanceFils !== c.balanceFils) out.push({ check: 'current_balance', subject: c.id, ledger: balanceFils, cached: c.balanceFils });
  }
  return out;
}
