// Ledger invariants of one card account, read straight from the database (SPEC §5).
import { expect } from 'vitest';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { runReportOn } from '../../src/service/reports/run-report.js';
import type { DbHandle } from '../../src/store/db.js';
import { cardLedger } from '../../src/store/ledger.repository.js';

export interface AccountLedger {
  heldFils: number;
  postedFils: number;
  /** Sum of pending transfers not voided, for the account. */
  openPendingFils: number;
  /** Net of posted transfers debiting minus crediting the card's ledger account. */
  postedNetFils: number;
  /** Whole ledger, summed by the database: what was debited and what was credited (must be equal). */
  debitsFils: number;
  creditsFils: number;
}

export async function accountLedger(handle: DbHandle, accountId: string): Promise<AccountLedger> {
  const { db } = handle;
  const account = await db.selectFrom('card_accounts').select(['held_fils', 'posted_fils'])
    .where('id', '=', accountId).executeTakeFirstOrThrow();
  const transfers = await db.selectFrom('ledger_transfers').selectAll().where('account_id', '=', accountId).execute();
  const voided = new Set(transfers.filter((t) => t.kind === 'void_pending').map((t) => t.pending_id));
  const card = cardLedger(accountId);
  let openPendingFils = 0;
  let postedNetFils = 0;
  for (const t of transfers) {
    if (t.kind === 'pending' && !voided.has(t.id) && t.debit_account === card) openPendingFils += t.amount_fils;
    if (t.kind === 'posted') postedNetFils += (t.debit_account === card ? t.amount_fils : 0) - (t.credit_account === card ? t.amount_fils : 0);
  }
  // sum() is NUMERIC on PostgreSQL: db.ts parses it to a number, and this checks that too.
  const sums = await db.selectFrom('ledger_transfers').select((eb) => [
    eb.fn.coalesce(eb.fn.sum<number>(eb.case().when('debit_account', 'is not', null).then(eb.ref('amount_fils')).else(0).end()), eb.lit(0)).as('debits'),
    eb.fn.coalesce(eb.fn.sum<number>(eb.case().when('credit_account', 'is not', null).then(eb.ref('amount_fils')).else(0).end()), eb.lit(0)).as('credits'),
  ]).executeTakeFirstOrThrow();
  return {
    heldFils: account.held_fils, postedFils: account.posted_fils, openPendingFils, postedNetFils,
    debitsFils: sums.debits, creditsFils: sums.credits,
  };
}

/**
 * SPEC §3-5 on these accounts, asserted: the ledger check clean, held = open holds, exposure within
 * `maxExposureFils` (the limit and the one-time exceed's margin), at most one standing over-limit
 * approval, each account's chain of authorizations linear, the audit log verified at `nowMs`.
 */
export async function expectAccountInvariants(handle: DbHandle, accountIds: string[], maxExposureFils: number, nowMs: number): Promise<void> {
  const report = await runReportOn(handle.db, { kind: 'ledgerCheck' });
  expect(report.differences).toEqual([]);
  for (const accountId of accountIds) {
    const ledger = await accountLedger(handle, accountId);
    expect(ledger.heldFils).toBe(ledger.openPendingFils);
    expect(ledger.heldFils + ledger.postedFils).toBeLessThanOrEqual(maxExposureFils);
    const rows = await handle.db.selectFrom('authorizations').select(['id', 'over_limit', 'approved', 'status', 'prev_authorization_id'])
      .where('account_id', '=', accountId).execute();
    expect(rows.filter((r) => r.over_limit === 1 && r.approved === 1 && r.status !== 'reversed').length).toBeLessThanOrEqual(1);
    // Each authorization follows the account's newest before it: a unit that decided on a stale
    // read would name the same predecessor as another.
    const prevs = rows.map((r) => r.prev_authorization_id).filter((prev) => prev !== null);
    expect(new Set(prevs).size).toBe(prevs.length);
  }
  const audit = await verifyAuditLog(handle.db, nowMs);
  expect(audit.problems).toEqual([]);
}
