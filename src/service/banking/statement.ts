// A card account's statement for one calendar month in Kuwait time (SPEC §5): the opening
// balance, every posted movement (clearings, refunds, payments) and the closing balance, all from
// the ledger, so the sum of the lines always equals closing − opening.
import { sql } from 'kysely';
import {
  describeStatementLine, kuwaitDate, monthBounds, signedForCard, type StatementLineKind,
} from '../../domain/statement.js';
import type { Language } from '../../domain/money.js';
import { findCustomerCard } from '../../store/cards.repository.js';
import type { Executor } from '../../store/db.js';
import { cardLedger } from '../../store/ledger.repository.js';
import type { ServiceContext } from '../context.js';
import { fieldError, notFound } from '../errors.js';

export interface StatementLine {
  date: string; description: string; amount: number; type: StatementLineKind; transactionId: string; postedAt: string;
}

export interface Statement {
  cardId: string; accountId: string; month: string; currency: 'KWD'; language: Language;
  openingBalance: number; closingBalance: number; lines: StatementLine[];
}

// A literal, not a parameter: SQLite uses the partial ledger_transfers_account index (posted
// transfers only) only when the query's WHERE names the same literal.
const POSTED = sql.lit('posted' as const);

async function balanceBefore(db: Executor, accountId: string, ledgerAccount: string, beforeMs: number): Promise<number> {
  const row = await db.selectFrom('ledger_transfers')
    .select(sql<number>`sum(case when debit_account = ${ledgerAccount} then amount_fils else -amount_fils end)`.as('total'))
    .where('account_id', '=', accountId).where('kind', '=', POSTED).where('created_at', '<', beforeMs)
    .where((eb) => eb.or([eb('debit_account', '=', ledgerAccount), eb('credit_account', '=', ledgerAccount)]))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

export async function getStatement(ctx: ServiceContext, customerId: string, cardId: string, month: string): Promise<Statement> {
  const bounds = monthBounds(month);
  if (!bounds) throw fieldError('month', 'must be YYYY-MM');
  const { db } = ctx.handle;
  const card = await findCustomerCard(db, customerId, cardId);
  if (!card) throw notFound('Card');
  const customer = await db.selectFrom('customers').select('language').where('id', '=', customerId).executeTakeFirst();
  const language: Language = customer?.language === 'ar' ? 'ar' : 'en';
  const ledgerAccount = cardLedger(card.account_id);

  const openingBalance = await balanceBefore(db, card.account_id, ledgerAccount, bounds.startMs);
  const transfers = await db.selectFrom('ledger_transfers').selectAll()
    .where('account_id', '=', card.account_id).where('kind', '=', POSTED)
    .where('created_at', '>=', bounds.startMs).where('created_at', '<', bounds.endMs)
    .where((eb) => eb.or([eb('debit_account', '=', ledgerAccount), eb('credit_account', '=', ledgerAccount)]))
    .orderBy('created_at').orderBy('id').execute();
  const clearingIds = transfers.filter((t) => t.reference.startsWith('clearing:')).map((t) => t.reference.slice('clearing:'.length));
  const clearings = clearingIds.length
    ? await db.selectFrom('clearings').select(['id', 'merchant_name', 'processing_code']).where('id', 'in', clearingIds).execute()
    : [];
  const byId = new Map(clearings.map((c) => [c.id, c]));

  const lines = transfers.map((t): StatementLine => {
    const [prefix, id] = t.reference.split(':', 2) as [string, string];
    const clearing = prefix === 'clearing' ? byId.get(id) : undefined;
    const type: StatementLineKind = prefix === 'payment' ? 'payment'
      : clearing ? (clearing.processing_code.startsWith('20') ? 'refund' : 'purchase') : 'other';
    return {
      date: kuwaitDate(t.created_at),
      description: describeStatementLine(type, clearing?.merchant_name ?? null, language),
      amount: signedForCard(t, ledgerAccount),
      type,
      transactionId: id ?? t.id,
      postedAt: new Date(t.created_at).toISOString(),
    };
  });
  // From the ledger again, independently of the lines: tests check lines sum to closing − opening.
  const closingBalance = await balanceBefore(db, card.account_id, ledgerAccount, bounds.endMs);
  return { cardId, accountId: card.account_id, month, currency: 'KWD', language, openingBalance, closingBalance, lines };
}
