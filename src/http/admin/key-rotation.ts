// Rotation with an overlap window: network-client secrets and staff keys. The new secret
// is shown once; the old one keeps working until the overlap ends.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_SECRET_OVERLAP_MS, rotateNetworkClientSecret } from '../../service/admin/network-clients.js';
import { DEFAULT_STAFF_KEY_OVERLAP_MS, rotateStaffKey } from '../../service/admin/staff-keys.js';
import { ServiceError } from '../../service/errors.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireCurrentKey, requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonResponse, problemResponse } from '../openapi-common.js';

const OverlapSchema = z.object({
  overlapSeconds: z.number().int().min(0).max(7 * 86_400).optional()
    .openapi({ description: 'How long the old secret or key keeps working (network clients: default 24 h; staff keys: 1 h)' }),
}).openapi('RotationRequest');
const optionalBody = { required: false, content: { 'application/json': { schema: OverlapSchema } } };

const rotateClient = createRoute({
  method: 'post', path: '/v1/admin/network-clients/{keyId}/rotate', tags: ['admin'],
  summary: 'Issue a new secret for a network client; the old one works until the overlap ends',
  security: [{ adminKey: [] }], middleware: [requireRole('admin')] as const,
  request: { params: z.object({ keyId: z.string().min(1).max(64) }), body: optionalBody },
  responses: {
    200: jsonResponse(z.object({ keyId: z.string(), secret: z.string(), previousSecretValidUntil: z.string() }).openapi('RotatedNetworkClient'), 'The new secret (shown once)'),
    404: problemResponse('No such client'), ...commonErrors,
  },
});

const rotateKey = createRoute({
  method: 'post', path: '/v1/admin/keys/{id}/rotate', tags: ['admin'],
  summary: 'Replace a staff key (admins: any key, the old one working until the overlap ends; everyone: their own, once, the old one ending at once)',
  security: [{ adminKey: [] }], middleware: [requireCurrentKey()] as const,
  request: { params: z.object({ id: z.string().min(1).max(64) }), body: optionalBody },
  responses: {
    200: jsonResponse(z.object({
      id: z.string(), name: z.string(), role: z.string(), key: z.string(), createdAt: z.string(),
      previousKeyId: z.string(), previousKeyValidUntil: z.string(),
    }).openapi('RotatedStaffKey'), 'The new key (shown once)'),
    403: problemResponse('Not your key, or this key is itself rotated out'), 404: problemResponse('No such key'),
    409: problemResponse('That key has already been replaced'), ...commonErrors,
  },
});

export function registerAdminKeyRotation(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(rotateClient, async (c) => {
    const overlap = c.req.valid('json')?.overlapSeconds;
    return c.json(await rotateNetworkClientSecret(deps, c.req.valid('param').keyId,
      overlap === undefined ? DEFAULT_SECRET_OVERLAP_MS : overlap * 1000, staffActor(c)), 200);
  });
  app.openapi(rotateKey, async (c) => {
    const { id } = c.req.valid('param');
    const staff = c.get('staff');
    if (staff.role !== 'admin' && staff.id !== id) throw new ServiceError('forbidden', 'Only admins rotate other people\'s keys.');
    const overlap = c.req.valid('json')?.overlapSeconds;
    return c.json(await rotateStaffKey(deps, id, overlap === undefined ? DEFAULT_STAFF_KEY_OVERLAP_MS : overlap * 1000, staffActor(c)), 200);
  });
}
