import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { addNetworkClient } from '../../service/admin/add-network-client.js';
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
    const body = c.req.valid('json');
    return c.json(await addNetworkClient(deps, { name: body.name ?? 'network client', acquirerIds: body.acquirerIds }, staffActor(c)), 200);
  });
}
