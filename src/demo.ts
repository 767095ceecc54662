// Demo mode (SPEC §8): the demo customer `npm start` seeds so the quick start has someone to log in
// as, and the network client the demo shop and terminals sign with.
import { aad, createNetworkClient, forgetNetworkSecrets } from './service/admin/network-clients.js';
import { createCustomer } from './service/admin/customers.js';
import type { ServiceContext } from './service/context.js';
import { ServiceError } from './service/errors.js';

export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

/**
 * The demo pages' own network client, bound to the demo acquirer id alone (SPEC §6): whoever uses
 * the pages can act for no real acquirer, and cannot replay or reverse another client's business.
 * 999999 is the highest six-digit id, kept for the demo: no acquirer is given it.
 */
export const DEMO_NETWORK_KEY_ID = 'net_demo_pages';
export const DEMO_ACQUIRER_ID = '999999';

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

/**
 * Makes sure the demo pages' client exists, is active and bound to the demo acquirer only; returns
 * its key (generated once, kept sealed in the database, never shown). Run under the start-up lock.
 */
export async function ensureDemoNetworkClient(ctx: ServiceContext): Promise<{ keyId: string; secret: string }> {
  const { db } = ctx.handle;
  const keyId = DEMO_NETWORK_KEY_ID;
  const row = await db.selectFrom('network_clients').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  if (!row) {
    const created = await createNetworkClient(ctx, db, 'demo pages', [DEMO_ACQUIRER_ID], keyId);
    return { keyId, secret: created.secret };
  }
  await db.updateTable('network_clients').set({ active: 1, any_acquirer: 0 }).where('key_id', '=', keyId).execute();
  await db.deleteFrom('network_client_acquirers').where('key_id', '=', keyId).where('acquirer_id', '<>', DEMO_ACQUIRER_ID).execute();
  const bound = await db.selectFrom('network_client_acquirers').select('acquirer_id').where('key_id', '=', keyId).executeTakeFirst();
  if (!bound) await db.insertInto('network_client_acquirers').values({ key_id: keyId, acquirer_id: DEMO_ACQUIRER_ID }).execute();
  forgetNetworkSecrets(ctx, keyId);
  return { keyId, secret: await ctx.keyring.open(row.secret, row.secret_key_id, aad(keyId)) };
}

/** Outside demo mode the demo pages' client, if an earlier demo start left one, cannot sign. */
export async function retireDemoNetworkClient(ctx: ServiceContext): Promise<void> {
  await ctx.handle.db.updateTable('network_clients').set({ active: 0 }).where('key_id', '=', DEMO_NETWORK_KEY_ID).where('active', '=', 1).execute();
  forgetNetworkSecrets(ctx, DEMO_NETWORK_KEY_ID);
}
