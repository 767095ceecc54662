// Operations on the money lifecycle: hold expiry on demand and the ledger integrity check.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { expireHoldsOnRequest } from '../../service/holds/expire-holds-on-request.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonResponse } from '../openapi-common.js';

const ExpireHoldsSchema = z.object({
  asOf: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional()
    .openapi({ description: 'Release holds that expired at or before this time (default: now; later than now is refused)' }),
}).openapi('ExpireHolds');

const expire = createRoute({
  method: 'post', path: '/v1/admin/jobs/expire-holds', tags: ['admin'],
  summary: 'Release expired holds now (the server also does this periodically)',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops')] as const,
  request: { body: { required: false, content: { 'application/json': { schema: ExpireHoldsSchema } } } },
  responses: {
    200: jsonResponse(z.object({ released: z.number().int(), asOf: z.string() }).openapi('ExpireHoldsResult'), 'How many holds were released'),
    ...commonErrors,
  },
});

const DifferenceSchema = z.object({ check: z.string(), subject: z.string(), ledger: z.number().int(), cached: z.number().int() });
const ledger = createRoute({
  method: 'get', path: '/v1/admin/ledger/check', tags: ['admin'],
  summary: 'Recompute every balance from the ledger and report differences',
  security: [{ adminKey: [] }],
  responses: {
    200: jsonResponse(z.object({
      ok: z.boolean(),
      totals: z.object({ postedDebits: z.number().int(), postedCredits: z.number().int(), transfers: z.number().int(),
        cardAccounts: z.number().int(), currentAccounts: z.number().int() }),
      differences: z.array(DifferenceSchema),
    }).openapi('LedgerCheck'), 'The report (ok: false lists the differences)'),
    ...commonErrors,
  },
});

export function registerAdminMoney(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(expire, async (c) => {
    const body = c.req.valid('json');
    const asOfMs = body?.asOf ? Date.parse(body.asOf) : undefined;
    return c.json(await expireHoldsOnRequest(deps, { asOfMs }, staffActor(c)), 200);
  });
  app.openapi(ledger, async (c) => c.json(await deps.reports.run({ kind: 'ledgerCheck' }), 200));
}
