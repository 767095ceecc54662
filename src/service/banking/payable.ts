// What the pay page shows (SPEC §5: a payment is up to the posted balance owed): the posted
// balance, which can be paid now, and the open holds, which cannot yet.
import { inTransaction } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { loadOwnCard } from './load-card.js';

export interface Payable { postedFils: number; pendingFils: number; limitFils: number }

export async function payableBalances(ctx: ServiceContext, customerId: string, cardId: string): Promise<Payable> {
  return inTransaction(ctx.handle, async (trx) => {
    const { account } = await loadOwnCard(trx, ctx, customerId, cardId);
    return { postedFils: Number(account.posted_fils), pendingFils: Number(account.held_fils), limitFils: Number(account.limit_fils) };
  });
}
