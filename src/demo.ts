// The demo customer `npm start` seeds so the quick start has someone to log in as.
import { createCustomer } from './service/admin/customers.js';
import type { ServiceContext } from './service/context.js';
import { ServiceError } from './service/errors.js';

export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

export async function seedDemoCustomer(ctx: ServiceContext): Promise<boolean> {
  const exists = await ctx.handle.db.selectFrom('customers').select('id').where('username', '=', DEMO_USERNAME).executeTakeFirst();
  if (exists) return false;
  try {
    await createCustomer(ctx, {
      username: DEMO_USERNAME, password: DEMO_PASSWORD, name: 'Demo Customer', currentAccountBalance: 1_500_000,
    }, { type: 'system', id: 'demo-seed' });
  } catch (error) {
    // Another instance starting at the same moment seeded it first.
    if (error instanceof ServiceError && error.code === 'username_taken') return false;
    throw error;
  }
  return true;
}
