// When the customer signed in before this session: shown on the dashboard so a sign-in they do not
// recognise stands out.
import type { ServiceContext } from '../context.js';

export async function previousSignIn(ctx: ServiceContext, customerId: string, currentSessionId: string): Promise<{ at: string; ip: string | null } | null> {
  const row = await ctx.handle.db.selectFrom('sessions').select(['created_at', 'ip']).where('customer_id', '=', customerId)
    .where('id', '!=', currentSessionId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row ? { at: new Date(row.created_at).toISOString(), ip: row.ip } : null;
}
