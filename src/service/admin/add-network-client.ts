// Staff add a network client bound to its acquirer ids; the secret is shown once, and the audit
// row names the client and its acquirers (never the secret).
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { createNetworkClient } from './network-clients.js';

export async function addNetworkClient(ctx: ServiceContext, input: { name: string; acquirerIds: readonly string[] }, actor: Actor) {
  return inTransaction(ctx.handle, async (trx) => {
    const created = await createNetworkClient(ctx, trx, input.name, input.acquirerIds);
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'network_client.created', subject: created.keyId, after: { name: input.name, acquirerIds: created.acquirerIds }, nowMs: ctx.clock.now() });
    return created;
  });
}
