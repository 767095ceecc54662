// GET /v1/admin/reviews: what needs a person's look (advices the issuer would have decided otherwise,
// clearings flagged needs_review, reversal advices for unknown originals). Admin, ops and auditor read.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { listReviews } from '../../service/admin/list-reviews.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonResponse } from '../openapi-common.js';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const ReviewsQuery = z.object({
  kind: z.enum(['advice', 'clearing', 'reversal_advice']).optional(),
  from: isoTime.optional().openapi({ description: 'Inclusive' }),
  to: isoTime.optional().openapi({ description: 'Exclusive' }),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const ReviewItemSchema = z.object({
  id: z.string().openapi({ description: 'The authorization (advice), clearing or reversal advice' }),
  kind: z.enum(['advice', 'clearing', 'reversal_advice']),
  createdAt: z.string(),
  accountId: z.string().nullable(),
  authorizationId: z.string().nullable(),
  maskedPan: z.string().nullable().openapi({ description: 'BIN and last 4 only', example: '465781******1234' }),
  acquirerId: z.string().nullable(),
  rrn: z.string().nullable(),
  amount: z.number().int().openapi({ description: 'Minor units of currency; for a reversal advice, the replacement amount' }),
  currency: z.string().nullable().openapi({ description: 'ISO 4217 alphabetic' }),
  billingAmount: z.number().int().nullable(),
  merchantName: z.string().nullable(),
  responseCode: z.string().nullable().openapi({ description: 'An advice: the network\'s decision' }),
  reason: z.string().nullable(),
}).openapi('ReviewItem');

const route = createRoute({
  method: 'get', path: '/v1/admin/reviews', tags: ['admin'], summary: 'Items flagged for review, newest first',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops', 'auditor')] as const,
  request: { query: ReviewsQuery },
  responses: { 200: jsonResponse(z.object({ data: z.array(ReviewItemSchema), nextCursor: z.string().nullable() }), 'Items'), ...commonErrors },
});

export function registerAdminReviews(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    return c.json(await listReviews(deps, {
      kind: q.kind, cursor: q.cursor, limit: q.limit,
      fromMs: q.from ? Date.parse(q.from) : undefined, toMs: q.to ? Date.parse(q.to) : undefined,
    }), 200);
  });
}
