import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createStaffKey, revokeStaffKey } from '../../service/admin/staff-keys.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireCurrentKey, requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { StaffKeyRequestSchema, StaffKeySchema } from './schemas.js';

const create = createRoute({
  method: 'post', path: '/v1/admin/keys', tags: ['admin'], summary: 'Create a named staff key with a role; shown once',
  security: [{ adminKey: [] }], middleware: [requireRole('admin'), requireCurrentKey()] as const,
  request: { body: jsonBody(StaffKeyRequestSchema) },
  responses: { 200: jsonResponse(StaffKeySchema, 'Created'), ...commonErrors },
});

const revoke = createRoute({
  method: 'delete', path: '/v1/admin/keys/{id}', tags: ['admin'],
  summary: 'Revoke a staff key at once, with the key it replaced if that is still in its overlap',
  security: [{ adminKey: [] }], middleware: [requireRole('admin'), requireCurrentKey()] as const,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked (also when it already was)' }, 404: problemResponse('No such key'), ...commonErrors },
});

export function registerAdminStaffKeys(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => c.json(await createStaffKey(deps, c.req.valid('json'), staffActor(c)), 200));
  app.openapi(revoke, async (c) => {
    await revokeStaffKey(deps, c.req.valid('param').id, staffActor(c));
    return c.body(null, 204);
  });
}
