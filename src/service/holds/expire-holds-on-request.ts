// Staff release expired holds on demand (the server also does it periodically, jobs.ts), up to a
// cut-off no later than now; the run is audited with what it released.
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError } from '../errors.js';
import { expireHolds } from './expire-holds.js';

export async function expireHoldsOnRequest(ctx: ServiceContext, input: { asOfMs?: number }, actor: Actor) {
  const nowMs = ctx.clock.now();
  const asOfMs = input.asOfMs ?? nowMs;
  // A cut-off in the future would release holds before their time.
  if (asOfMs > nowMs) throw fieldError('asOf', 'must not be later than now');
  const released = await expireHolds(ctx, asOfMs);
  const asOf = new Date(asOfMs).toISOString();
  await inTransaction(ctx.handle, (trx) => appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
    action: 'job.expire_holds', after: { asOf, released }, nowMs: ctx.clock.now() }));
  return { released, asOf };
}
