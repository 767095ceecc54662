import { listCustomerCards } from '../../store/cards.repository.js';
import { findProduct } from '../../store/products.repository.js';
import type { ServiceContext } from '../context.js';
import { cardView, type CardView } from './card-view.js';
import { loadOwnCard } from './load-card.js';
import { inTransaction } from '../../store/transaction.js';

export async function listCards(ctx: ServiceContext, customerId: string): Promise<CardView[]> {
  const { db } = ctx.handle;
  const cards = await listCustomerCards(db, customerId);
  const views: CardView[] = [];
  for (const card of cards) {
    const account = (await db.selectFrom('card_accounts').selectAll().where('id', '=', card.account_id).executeTakeFirst())!;
    const product = (await findProduct(db, account.product_code))!;
    views.push(cardView(card, account, product));
  }
  return views;
}

export async function getCard(ctx: ServiceContext, customerId: string, cardId: string): Promise<CardView> {
  const { card, account, product } = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  return cardView(card, account, product);
}
