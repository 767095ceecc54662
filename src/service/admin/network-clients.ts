// Network clients: the card networks and gateways that sign requests to /v1/network/*.
// Secrets are stored encrypted under a PAN data key; a rotation keeps the old secret valid for an
// overlap window.
import { randomBytes } from 'node:crypto';
import { appendAudit } from '../../store/audit.repository.js';
import type { Executor } from '../../store/db.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound } from '../errors.js';

// The secret cache is per instance, on purpose: with N instances a rotation or deactivation takes
// effect everywhere within CACHE_TTL_MS (the rotation overlap is far longer), and no instance needs
// to tell the others. See docs/scaling.md.
// The acquirer ids a client may speak for are cached with its secrets, so the check costs the hot
// path no query and a change reaches every instance as quickly as a deactivation does.
const CACHE_TTL_MS = 30_000;

/** What a signed request from a client may do: the secrets that verify it, the acquirers it speaks for. */
export interface NetworkClientAccess {
  secrets: string[];
  /** 'any' for the client NETWORK_KEY_ID names; none for an unknown or inactive client. */
  acquirers: ReadonlySet<string> | 'any';
}

const cache = new WeakMap<object, Map<string, NetworkClientAccess & { until: number }>>();

/** The associated data a client's secret is sealed with. */
export const aad = (keyId: string) => `network-client:${keyId}`;

/** A new client bound to the given acquirer ids (digit strings, ISO DE 32). */
export async function createNetworkClient(ctx: ServiceContext, db: Executor, name: string, acquirerIds: readonly string[], keyId = `net_${randomBytes(8).toString('hex')}`, secret = randomBytes(32).toString('hex')) {
  const sealed = ctx.keyring.encrypt(secret, aad(keyId));
  await db.insertInto('network_clients').values({
    key_id: keyId, secret: sealed.ciphertext, secret_key_id: sealed.keyId, previous_secret: null,
    previous_until: null, name, active: 1, created_at: ctx.clock.now(), any_acquirer: 0,
  }).execute();
  const unique = [...new Set(acquirerIds)];
  if (unique.length) {
    await db.insertInto('network_client_acquirers').values(unique.map((acquirerId) => ({ key_id: keyId, acquirer_id: acquirerId }))).execute();
  }
  return { keyId, secret, acquirerIds: unique };
}

/**
 * Makes sure the client named by NETWORK_KEY_ID / NETWORK_SECRET exists with that secret, and that
 * it alone may speak for any acquirer (a client NETWORK_KEY_ID named before keeps only its own).
 */
export async function ensureBootstrapClient(ctx: ServiceContext, keyId: string, secret: string): Promise<void> {
  const { db } = ctx.handle;
  await db.updateTable('network_clients').set({ any_acquirer: 0 }).where('any_acquirer', '=', 1).where('key_id', '<>', keyId).execute();
  const row = await db.selectFrom('network_clients').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  if (!row) {
    await createNetworkClient(ctx, db, 'bootstrap', [], keyId, secret);
    await db.updateTable('network_clients').set({ any_acquirer: 1 }).where('key_id', '=', keyId).execute();
    return;
  }
  if (row.any_acquirer !== 1) await db.updateTable('network_clients').set({ any_acquirer: 1 }).where('key_id', '=', keyId).execute();
  const current = await ctx.keyring.open(row.secret, row.secret_key_id, aad(keyId));
  if (current !== secret) {
    // NETWORK_SECRET changed in the environment: it wins, and the change is audited.
    const sealed = ctx.keyring.encrypt(secret, aad(keyId));
    await inTransaction(ctx.handle, async (trx) => {
      await trx.updateTable('network_clients')
        .set({ secret: sealed.ciphertext, secret_key_id: sealed.keyId, previous_secret: null, previous_until: null, active: 1 })
        .where('key_id', '=', keyId).execute();
      await appendAudit(trx, { actorType: 'system', actorId: 'bootstrap',
        action: 'network_client.secret_replaced', subject: keyId, nowMs: ctx.clock.now() });
    });
  }
}

/** The secrets a signature may be made with: the current one, and the previous one during overlap. */
export async function findNetworkSecrets(ctx: ServiceContext, keyId: string): Promise<string[]> {
  return (await findNetworkClientAccess(ctx, keyId)).secrets;
}

const NO_ACCESS: NetworkClientAccess = { secrets: [], acquirers: new Set() };

/**
 * The client's access while the cache holds it fresh, without a promise (every signed message asks
 * this); undefined when it must be read, by findNetworkClientAccess.
 */
export function cachedNetworkClientAccess(ctx: ServiceContext, keyId: string): NetworkClientAccess | undefined {
  const hit = cache.get(ctx.keyring)?.get(keyId);
  return hit && hit.until > ctx.clock.now() ? hit : undefined;
}

/** A client's secrets and acquirer ids, from the per-instance cache (read at most every 30 s). */
export async function findNetworkClientAccess(ctx: ServiceContext, keyId: string): Promise<NetworkClientAccess> {
  const nowMs = ctx.clock.now();
  let byKey = cache.get(ctx.keyring);
  if (!byKey) cache.set(ctx.keyring, (byKey = new Map()));
  const hit = byKey.get(keyId);
  if (hit && hit.until > nowMs) return hit;
  const row = await ctx.handle.db.selectFrom('network_clients').selectAll()
    .where('key_id', '=', keyId).where('active', '=', 1).executeTakeFirst();
  const secrets: string[] = [];
  let acquirers: NetworkClientAccess['acquirers'] = NO_ACCESS.acquirers;
  if (row) {
    secrets.push(await ctx.keyring.open(row.secret, row.secret_key_id, aad(keyId)));
    if (row.previous_secret && row.previous_until && row.previous_until > nowMs) {
      secrets.push(await ctx.keyring.open(row.previous_secret, row.secret_key_id, aad(keyId)));
    }
    acquirers = row.any_acquirer === 1 ? 'any' : new Set((await ctx.handle.db.selectFrom('network_client_acquirers')
      .select('acquirer_id').where('key_id', '=', keyId).execute()).map((r) => r.acquirer_id));
  }
  // Unknown keys are cached briefly too, so a flood of bad key ids costs no database reads.
  // The previous secret stops exactly at previous_until, cache or not.
  const until = Math.min(nowMs + (secrets.length ? CACHE_TTL_MS : 2_000), secrets.length > 1 ? row!.previous_until! : Infinity);
  const access = { secrets, acquirers, until };
  byKey.set(keyId, access);
  return access;
}

export function forgetNetworkSecrets(ctx: ServiceContext, keyId: string): void {
  cache.get(ctx.keyring)?.delete(keyId);
}

export const DEFAULT_SECRET_OVERLAP_MS = 24 * 60 * 60_000;

/**
 * Issues a new secret; the old one keeps verifying for the overlap window so the client can switch
 * without an outage. Both are sealed under the active data key (one key-id column covers both).
 * Other instances cache secrets for up to 30 s: clients should switch after that.
 */
export async function rotateNetworkClientSecret(ctx: ServiceContext, keyId: string, overlapMs: number, actor: Actor) {
  const secret = randomBytes(32).toString('hex');
  const result = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const row = await trx.selectFrom('network_clients').selectAll().where('key_id', '=', keyId).where('active', '=', 1).executeTakeFirst();
    if (!row) throw notFound('Network client');
    const current = await ctx.keyring.open(row.secret, row.secret_key_id, aad(keyId), trx);
    const next = ctx.keyring.encrypt(secret, aad(keyId));
    const previous = ctx.keyring.encrypt(current, aad(keyId));
    const previousUntil = nowMs + overlapMs;
    await trx.updateTable('network_clients').set({
      secret: next.ciphertext, secret_key_id: next.keyId, previous_secret: previous.ciphertext, previous_until: previousUntil,
    }).where('key_id', '=', keyId).execute();
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'network_client.secret_rotated', subject: keyId, after: { previousSecretValidUntil: new Date(previousUntil).toISOString() }, nowMs });
    return { keyId, secret, previousSecretValidUntil: new Date(previousUntil).toISOString() };
  });
  forgetNetworkSecrets(ctx, keyId);
  return result;
}
