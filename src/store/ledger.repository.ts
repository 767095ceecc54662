// Double-entry ledger writes. Transfers are immutable; a hold is released by a new void_pending
// transfer naming it. Ledger account names:
//   card:<cardAccountId>   the cardholder's receivable (debit = more owed)
//   network:settlement     what we owe the card network for purchases
//   current:<id>           the customer's current account at the bank (credit = the bank owes more)
//   bank:opening-balances  where current-account balances given at customer creation come from
import { newId } from '../ids.js';
import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import type { LedgerTransfer } from './schema.js';

export const cardLedger = (accountId: string) => `card:${accountId}`;
export const currentLedger = (currentAccountId: string) => `current:${currentAccountId}`;
export const NETWORK_SETTLEMENT = 'network:settlement';
export const BANK_OPENING_BALANCES = 'bank:opening-balances';

export interface TransferInput {
  accountId: string | null;
  debit: string;
  credit: string;
  amountFils: number;
  reference: string;
  nowMs: number;
}

// Every approval writes one: compiled once.
const insertTransfer = prepared<LedgerTransfer, never>((db) =>
  db.insertInto('ledger_transfers').values({
    id: param('id'), account_id: param('account_id'), kind: param('kind'), pending_id: param('pending_id'),
    debit_account: param('debit_account'), credit_account: param('credit_account'),
    amount_fils: param('amount_fils'), reference: param('reference'), created_at: param('created_at'),
  }));

/** A hold's pending transfer, not yet written (an authorization writes it with its own rows). */
export function pendingTransfer(t: TransferInput): LedgerTransfer {
  return {
    id: newId('tr', t.nowMs), account_id: t.accountId, kind: 'pending', pending_id: null, debit_account: t.debit,
    credit_account: t.credit, amount_fils: t.amountFils, reference: t.reference, created_at: t.nowMs,
  };
}

export async function insertTransferRow(trx: Executor, transfer: LedgerTransfer): Promise<void> {
  await insertTransfer.execute(trx, transfer);
}

export async function insertPending(trx: Executor, t: TransferInput): Promise<string> {
  const transfer = pendingTransfer(t);
  await insertTransferRow(trx, transfer);
  return transfer.id;
}

export async function insertPosted(trx: Executor, t: TransferInput): Promise<string> {
  const id = newId('tr', t.nowMs);
  await trx.insertInto('ledger_transfers').values({
    id, account_id: t.accountId, kind: 'posted', pending_id: null, debit_account: t.debit,
    credit_account: t.credit, amount_fils: t.amountFils, reference: t.reference, created_at: t.nowMs,
  }).execute();
  return id;
}

/** Releases a pending transfer in full. The unique index on pending_id makes a second void fail. */
export async function voidPending(trx: Executor, pendingId: string, reference: string, nowMs: number): Promise<number> {
  const pending = await trx.selectFrom('ledger_transfers').selectAll()
    .where('id', '=', pendingId).where('kind', '=', 'pending').executeTakeFirstOrThrow();
  await trx.insertInto('ledger_transfers').values({
    id: newId('tr', nowMs), account_id: pending.account_id, kind: 'void_pending', pending_id: pendingId,
    debit_account: pending.debit_account, credit_account: pending.credit_account,
    amount_fils: pending.amount_fils, reference, created_at: nowMs,
  }).execute();
  return pending.amount_fils;
}
