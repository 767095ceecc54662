// Ledger invariants of one card account, read straight from the database (SPEC §5).
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
