import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { createNetworkClient } from '../../service/admin/network-clients.js';
import { appendAudit } from '../../store/audit.repository.js';
import { inTransaction } from '../../store/transaction.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonResponse } from '../openapi-common.js';
import { NetworkClientRequestSchema, NetworkClientSchema } from './schemas.js';

const create = createRoute({
  method: 'post', path: '/v1/admin/network-clients', tags: ['admin'],
  summary: 'Create a network client bound to its acquirer ids; the secret is shown once',
  security: [{ adminKey: [] }], middleware: [requireRole('admin')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NetworkClientRequestSchema } } } },
  responses: { 200: jsonResponse(NetworkClientSchema, 'Created'), ...commonErrors },
});

export function registerAdminNetworkClients(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => {
    const actor = staffActor(c);
    const body = c.req.valid('json');
    const name = body.name ?? 'network client';
    const client = await inTransaction(deps.handle, async (trx) => {
      const created = await createNetworkClient(deps, trx, name, body.acquirerIds);
      await appendAudit(trx, { actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
        action: 'network_client.created', subject: created.keyId, after: { name, acquirerIds: created.acquirerIds }, nowMs: deps.clock.now() });
      return created;
    });
    return c.json(client, 200);
  });
}
