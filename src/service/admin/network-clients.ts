// Network clients: the card networks and gateways that sign requests to /v1/network/*.
// Secrets are stored encrypted under a PAN data key; a rotation keeps the old secret valid for an
// overlap window.
import { randomBytes } from 'node:crypto';
import type { Executor } from '../../store/db.js';
import type { ServiceContext } from '../context.js';

const CACHE_TTL_MS = 30_000;
const cache = new WeakMap<object, Map<string, { secrets: string[]; until: number }>>();

const aad = (keyId: string) => `network-client:${keyId}`;

export async function createNetworkClient(ctx: ServiceContext, db: Executor, name: string, keyId = `net_${randomBytes(8).toString('hex')}`, secret = randomBytes(32).toString('hex')) {
  const sealed = ctx.keyring.encrypt(secret, aad(keyId));
  await db.insertInto('network_clients').values({
    key_id: keyId, secret: sealed.ciphertext, secret_key_id: sealed.keyId, previous_secret: null,
    previous_until: null, name, active: 1, created_at: ctx.clock.now(),
  }).execute();
  return { keyId, secret };
}

/** Makes sure the client named by NETWORK_KEY_ID / NETWORK_SECRET exists with that secret. */
export async function ensureBootstrapClient(ctx: ServiceContext, keyId: string, secret: string): Promise<void> {
  const { db } = ctx.handle;
  const row = await db.selectFrom('network_clients').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  if (!row) {
    await createNetworkClient(ctx, db, 'bootstrap', keyId, secret);
    return;
  }
  const current = ctx.keyring.decrypt(row.secret, row.secret_key_id, aad(keyId));
  if (current !== secret) {
    const sealed = ctx.keyring.encrypt(secret, aad(keyId));
    await db.updateTable('network_clients')
      .set({ secret: sealed.ciphertext, secret_key_id: sealed.keyId, active: 1 }).where('key_id', '=', keyId).execute();
  }
}

/** The secrets a signature may be made with: the current one, and the previous one during overlap. */
export async function findNetworkSecrets(ctx: ServiceContext, keyId: string): Promise<string[]> {
  const nowMs = ctx.clock.now();
  let byKey = cache.get(ctx.keyring);
  if (!byKey) cache.set(ctx.keyring, (byKey = new Map()));
  const hit = byKey.get(keyId);
  if (hit && hit.until > nowMs) return hit.secrets;
  const row = await ctx.handle.db.selectFrom('network_clients').selectAll()
    .where('key_id', '=', keyId).where('active', '=', 1).executeTakeFirst();
  const secrets: string[] = [];
  if (row) {
    secrets.push(ctx.keyring.decrypt(row.secret, row.secret_key_id, aad(keyId)));
    if (row.previous_secret && row.previous_until && row.previous_until > nowMs) {
      secrets.push(ctx.keyring.decrypt(row.previous_secret, row.secret_key_id, aad(keyId)));
    }
  }
  // Unknown keys are cached briefly too, so a flood of bad key ids costs no database reads.
  byKey.set(keyId, { secrets, until: nowMs + (secrets.length ? CACHE_TTL_MS : 2_000) });
  return secrets;
}

export function forgetNetworkSecrets(ctx: ServiceContext, keyId: string): void {
  cache.get(ctx.keyring)?.delete(keyId);
}
