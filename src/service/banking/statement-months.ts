// Which monthly statements a card has: from the month its card account opened to this month.
import { statementMonths } from '../../domain/statement.js';
import { findCustomerCard } from '../../store/cards.repository.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';

export async function listStatementMonths(ctx: ServiceContext, customerId: string, cardId: string): Promise<string[]> {
  const { db } = ctx.handle;
  const card = await findCustomerCard(db, customerId, cardId);
  if (!card) throw notFound('Card');
  const account = await db.selectFrom('card_accounts').select('created_at').where('id', '=', card.account_id).executeTakeFirstOrThrow();
  return statementMonths(account.created_at, ctx.clock.now());
}
