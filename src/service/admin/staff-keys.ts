// Named staff keys with a role (SPEC §6). Shown once; stored as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound, ServiceError } from '../errors.js';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function createStaffKey(ctx: ServiceContext, input: { name: string; role: 'ops' | 'auditor' | 'admin' }, actor: Actor) {
  const key = `stf_${randomBytes(24).toString('hex')}`;
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const id = newId('key', nowMs);
    await trx.insertInto('staff_keys').values({
      id, name: input.name, role: input.role, key_hash: hashKey(key),
      active: 1, expires_at: null, created_at: nowMs, replaced_by: null,
    }).execute();
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id,
      sourceIp: actor.ip, action: 'staff_key.created', subject: id, after: { name: input.name, role: input.role }, nowMs });
    return { id, name: input.name, role: input.role, key, createdAt: new Date(nowMs).toISOString() };
  });
}

export const DEFAULT_STAFF_KEY_OVERLAP_MS = 60 * 60_000;

/**
 * Replaces a staff key with a new one of the same name and role. Rotated by an admin, the old key
 * keeps working for its role until the overlap ends (expires_at), so scripts using it can be
 * switched without an outage. Rotated by itself, the old key ends at once: its holder has the new
 * one in hand, and a stolen key must not buy a second, unknown key while staying usable.
 * A key is replaced once: the conditional update lets one of two concurrent rotations through.
 * The bootstrap ADMIN_API_KEY lives in the environment and is rotated there.
 */
export async function rotateStaffKey(ctx: ServiceContext, id: string, overlapMs: number, actor: Actor) {
  const key = `stf_${randomBytes(24).toString('hex')}`;
  const bySelf = actor.type === 'staff' && actor.id === id;
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const old = await trx.selectFrom('staff_keys').selectAll().where('id', '=', id).where('active', '=', 1).executeTakeFirst();
    if (!old) throw notFound('Staff key');
    const newKeyId = newId('key', nowMs);
    const oldUntil = bySelf ? nowMs : nowMs + overlapMs;
    // Only rotation sets expires_at: a key that has one is already rotated out.
    const replaced = await trx.updateTable('staff_keys').set({ expires_at: oldUntil, replaced_by: newKeyId })
      .where('id', '=', id).where('active', '=', 1).where('expires_at', 'is', null).executeTakeFirst();
    if (Number(replaced.numUpdatedRows) !== 1) throw new ServiceError('conflict', 'This key has already been replaced.');
    await trx.insertInto('staff_keys').values({
      id: newKeyId, name: old.name, role: old.role, key_hash: hashKey(key),
      active: 1, expires_at: null, created_at: nowMs, replaced_by: null,
    }).execute();
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'staff_key.rotated', subject: id, before: { expiresAt: old.expires_at }, after: { replacedBy: newKeyId, expiresAt: oldUntil }, nowMs });
    return {
      id: newKeyId, name: old.name, role: old.role, key, createdAt: new Date(nowMs).toISOString(),
      previousKeyId: id, previousKeyValidUntil: new Date(oldUntil).toISOString(),
    };
  });
}

/**
 * Revokes a staff key at once, with the keys it replaced that are still in their overlap (a
 * revoked key must not live on through its predecessor). Authentication reads staff_keys on every
 * request, so the next request with any of them is refused on every instance. Revoking a key
 * already revoked changes nothing and writes nothing.
 */
export async function revokeStaffKey(ctx: ServiceContext, id: string, actor: Actor): Promise<void> {
  await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const target = await trx.selectFrom('staff_keys').select('id').where('id', '=', id).executeTakeFirst();
    if (!target) throw notFound('Staff key');
    const revoked: string[] = [];
    let current: string | undefined = id;
    // The chain of predecessors is short (one per rotation within an overlap); `seen` guards a loop.
    const seen = new Set<string>();
    while (current && !seen.has(current)) {
      seen.add(current);
      const result = await trx.updateTable('staff_keys').set({ active: 0 }).where('id', '=', current).where('active', '=', 1).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) revoked.push(current);
      const predecessor: { id: string } | undefined = await trx.selectFrom('staff_keys').select('id')
        .where('replaced_by', '=', current).executeTakeFirst();
      current = predecessor?.id;
    }
    if (revoked.length === 0) return;
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'staff_key.revoked', subject: id, after: { revoked }, nowMs });
  });
}
