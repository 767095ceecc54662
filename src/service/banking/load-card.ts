// Loads a customer's own card with its account and product. Another customer's card is "not found".
import { findProduct } from '../../store/products.repository.js';
import { findAccount, findCustomerCard, lockAccount } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';

export async function loadOwnCard(trx: Trx, ctx: ServiceContext, customerId: string, cardId: string, options: { lock?: boolean } = {}) {
  const card = await findCustomerCard(trx, customerId, cardId);
  if (!card) throw notFound('Card');
  const account = options.lock
    ? await lockAccount(trx, ctx.handle.dialect, card.account_id)
    : await findAccount(trx, card.account_id);
  const product = await findProduct(trx, account!.product_code);
  return { card, account: account!, product: product! };
}
