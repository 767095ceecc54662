import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { setFxRate } from '../../service/admin/fx-rates.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { FxRateResultSchema, FxRateSchema } from './schemas.js';

const put = createRoute({
  method: 'put', path: '/v1/admin/fx-rates/{currency}', tags: ['admin'],
  summary: 'Set the rate for a currency: KWD per one unit (ISO 4217 numeric or alphabetic code)',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops')] as const,
  request: { params: z.object({ currency: z.string().regex(/^(\d{3}|[A-Za-z]{3})$/, 'an ISO 4217 code') }), body: jsonBody(FxRateSchema) },
  responses: { 200: jsonResponse(FxRateResultSchema, 'The rate now in force'), 404: problemResponse('Unknown currency'), ...commonErrors },
});

export function registerAdminFxRates(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(put, async (c) =>
    c.json(await setFxRate(deps, c.req.valid('param').currency, c.req.valid('json').rate, staffActor(c)), 200));
}
