// GET /v1/admin/audit (SPEC §6, §9): every role may read; filters combine with AND.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { readAuditLog } from '../../service/audit/list-audit.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonResponse } from '../openapi-common.js';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const AuditQuery = z.object({
  actor: z.string().max(100).optional().openapi({ description: 'Actor id: staff key id, customer id, network key id, or a system job' }),
  actorType: z.enum(['cardholder', 'staff', 'network', 'system']).optional(),
  action: z.string().max(100).optional().openapi({ description: 'Exact action, or a prefix ending in * (e.g. card.*)' }),
  subject: z.string().max(100).optional(),
  stream: z.string().max(100).optional().openapi({ description: 'A hash chain: `global`, or on PostgreSQL `account:<card account id>` (on SQLite every entry is in `global`)' }),
  account: z.string().max(100).optional().openapi({ description: 'Entries about one card account (its id), on either engine' }),
  from: isoTime.optional().openapi({ description: 'Inclusive' }),
  to: isoTime.optional().openapi({ description: 'Exclusive' }),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const AuditEntrySchema = z.object({
  id: z.string(), stream: z.string(), seq: z.number().int(), accountId: z.string().nullable(), actorType: z.string(), actorId: z.string(),
  action: z.string(), subject: z.string().nullable(), sourceIp: z.string().nullable(),
  before: z.unknown(), after: z.unknown(), createdAt: z.string(), hash: z.string(),
}).openapi('AuditEntry');

const route = createRoute({
  method: 'get', path: '/v1/admin/audit', tags: ['admin'], summary: 'Read the hash-chained audit log, newest first',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops', 'auditor')] as const,
  request: { query: AuditQuery },
  responses: { 200: jsonResponse(z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }), 'Entries'), ...commonErrors },
});

export function registerAdminAudit(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    return c.json(await readAuditLog(deps, {
      ...q, fromMs: q.from ? Date.parse(q.from) : undefined, toMs: q.to ? Date.parse(q.to) : undefined,
    }), 200);
  });
}
