// Named staff keys with a role (SPEC §6). Shown once; stored as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound } from '../errors.js';

export async function createStaffKey(ctx: ServiceContext, input: { name: string; role: 'ops' | 'auditor' | 'admin' }, actor: Actor) {
  const key = `stf_${randomBytes(24).toString('hex')}`;
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const id = newId('key', nowMs);
    await trx.insertInto('staff_keys').values({
      id, name: input.name, role: input.role, key_hash: createHash('sha256').update(key).digest('hex'),
      active: 1, expires_at: null, created_at: nowMs,
    }).execute();
    await appendAudit(trx, ctx.handle.dialect, { actorType: actor.type, actorId: actor.id,
      sourceIp: actor.ip, action: 'staff_key.created', subject: id, after: { name: input.name, role: input.role }, nowMs });
    return { id, name: input.name, role: input.role, key, createdAt: new Date(nowMs).toISOString() };
  });
}

export const DEFAULT_STAFF_KEY_OVERLAP_MS = 60 * 60_000;

/**
 * Replaces a staff key with a new one of the same name and role; the old key keeps working until
 * the overlap ends (expires_at), so scripts using it can be switched without an outage.
 * The bootstrap ADMIN_API_KEY lives in the environment and is rotated there.
 */
export async function rotateStaffKey(ctx: ServiceContext, id: string, overlapMs: number, actor: Actor) {
  const key = `stf_${randomBytes(24).toString('hex')}`;
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const old = await trx.selectFrom('staff_keys').selectAll().where('id', '=', id).where('active', '=', 1).executeTakeFirst();
    if (!old || (old.expires_at !== null && old.expires_at <= nowMs)) throw notFound('Staff key');
    const newKeyId = newId('key', nowMs);
    const oldUntil = Math.min(old.expires_at ?? Infinity, nowMs + overlapMs);
    await trx.updateTable('staff_keys').set({ expires_at: oldUntil }).where('id', '=', id).execute();
    await trx.insertInto('staff_keys').values({
      id: newKeyId, name: old.name, role: old.role, key_hash: createHash('sha256').update(key).digest('hex'),
      active: 1, expires_at: null, created_at: nowMs,
    }).execute();
    await appendAudit(trx, ctx.handle.dialect, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'staff_key.rotated', subject: id, before: { expiresAt: old.expires_at }, after: { replacedBy: newKeyId, expiresAt: oldUntil }, nowMs });
    return {
      id: newKeyId, name: old.name, role: old.role, key, createdAt: new Date(nowMs).toISOString(),
      previousKeyId: id, previousKeyValidUntil: new Date(oldUntil).toISOString(),
    };
  });
}
