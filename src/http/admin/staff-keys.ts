import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { createStaffKey } from '../../service/admin/staff-keys.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse } from '../openapi-common.js';
import { StaffKeyRequestSchema, StaffKeySchema } from './schemas.js';

const create = createRoute({
  method: 'post', path: '/v1/admin/keys', tags: ['admin'], summary: 'Create a named staff key with a role; shown once',
  security: [{ adminKey: [] }], middleware: [requireRole('admin')] as const,
  request: { body: jsonBody(StaffKeyRequestSchema) },
  responses: { 200: jsonResponse(StaffKeySchema, 'Created'), ...commonErrors },
});

export function registerAdminStaffKeys(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => c.json(await createStaffKey(deps, c.req.valid('json'), staffActor(c)), 200));
}
