// Named staff keys with a role (SPEC §6). Shown once; stored as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';

export async function createStaffKey(ctx: ServiceContext, input: { name: string; role: 'ops' | 'auditor' | 'admin' }, actor: Actor) {
  const key = `stf_${randomBytes(24).toString('hex')}`;
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const id = newId('key', nowMs);
    await trx.insertInto('staff_keys').values({
      id, name: input.name, role: input.role, key_hash: createHash('sha256').update(key).digest('hex'),
      active: 1, expires_at: null, created_at: nowMs,
    }).execute();
    await appendAudit(trx, ctx.handle.dialect, { stream: 'global', actorType: actor.type, actorId: actor.id,
      sourceIp: actor.ip, action: 'staff_key.created', subject: id, after: { name: input.name, role: input.role }, nowMs });
    return { id, name: input.name, role: input.role, key, createdAt: new Date(nowMs).toISOString() };
  });
}
