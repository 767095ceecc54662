// Recomputes every balance from ledger_transfers and reports any difference from the cached
// balances (card_accounts.posted_fils / held_fils, authorizations.hold_fils, current account
// balances). Used by `npm run ledger:check`, GET /v1/admin/ledger/check and the property tests.
import { sql } from 'kysely';
import { compareLedger, type LedgerDifference, type LedgerSums } from '../../domain/ledger-check.js';
import type { Executor } from '../../store/db.js';

export interface LedgerReport {
  ok: boolean;
  totals: { postedDebits: number; postedCredits: number; transfers: number; cardAccounts: number; currentAccounts: number };
  differences: LedgerDifference[];
}

const num = (v: unknown) => Number(v ?? 0);

function addTo(map: Map<string, number>, key: string, fils: number) {
  map.set(key, (map.get(key) ?? 0) + fils);
}

async function ledgerSums(db: Executor): Promise<LedgerSums & { transfers: number }> {
  const posted = await db.selectFrom('ledger_transfers')
    .select(['debit_account', 'credit_account', sql<number>`sum(amount_fils)`.as('total')])
    .where('kind', '=', 'posted').groupBy(['debit_account', 'credit_account']).execute();
  const open = await db.selectFrom('ledger_transfers as p')
    .select(['p.debit_account', 'p.credit_account', sql<number>`sum(p.amount_fils)`.as('total')])
    .where('p.kind', '=', 'pending')
    .where(({ not, exists, selectFrom }) => not(exists(
      selectFrom('ledger_transfers as v').select('v.id').whereRef('v.pending_id', '=', 'p.id').where('v.kind', '=', 'void_pending'))))
    .groupBy(['p.debit_account', 'p.credit_account']).execute();
  const counts = await db.selectFrom('ledger_transfers')
    .select([sql<number>`count(*)`.as('n'), sql<number>`sum(case when amount_fils <= 0 then 1 else 0 end)`.as('bad')])
    .executeTakeFirstOrThrow();
  const sums: LedgerSums & { transfers: number } = {
    postedDebits: 0, postedCredits: 0, nonPositive: num(counts.bad), transfers: num(counts.n),
    postedNet: new Map(), openPendingNet: new Map(),
  };
  for (const r of posted) {
    const totalFils = num(r.total);
    sums.postedDebits += totalFils;
    sums.postedCredits += totalFils;
    addTo(sums.postedNet, r.debit_account, totalFils);
    addTo(sums.postedNet, r.credit_account, -totalFils);
  }
  for (const r of open) {
    addTo(sums.openPendingNet, r.debit_account, num(r.total));
    addTo(sums.openPendingNet, r.credit_account, -num(r.total));
  }
  return sums;
}

export async function checkLedger(db: Executor): Promise<LedgerReport> {
  const sums = await ledgerSums(db);
  const cards = await db.selectFrom('card_accounts').select(['id', 'posted_fils', 'held_fils']).execute();
  const holds = await db.selectFrom('authorizations')
    .select(['account_id', sql<number>`sum(hold_fils)`.as('total')])
    .where('status', '=', 'pending').groupBy('account_id').execute();
  const holdByAccount = new Map(holds.map((h) => [h.account_id ?? '', num(h.total)]));
  const currents = await db.selectFrom('current_accounts').select(['id', 'balance_fils']).execute();
  const differences = compareLedger(sums, {
    cardAccounts: cards.map((c) => ({ id: c.id, postedFils: num(c.posted_fils), heldFils: num(c.held_fils),
      pendingAuthorizationHoldFils: holdByAccount.get(c.id) ?? 0 })),
    currentAccounts: currents.map((c) => ({ id: c.id, balanceFils: num(c.balance_fils) })),
  });
  return {
    ok: differences.length === 0,
    totals: { postedDebits: sums.postedDebits, postedCredits: sums.postedCredits, transfers: sums.transfers,
      cardAccounts: cards.length, currentAccounts: currents.length },
    differences,
  };
}
