import type { ServiceContext } from '../context.js';

export async function listCurrentAccounts(ctx: ServiceContext, customerId: string) {
  const rows = await ctx.handle.db.selectFrom('current_accounts').selectAll().where('customer_id', '=', customerId)
    .orderBy('created_at').execute();
  return rows.map((a) => ({ id: a.id, balance: a.balance_fils, currency: a.currency }));
}
