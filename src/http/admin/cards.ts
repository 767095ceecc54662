import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { blockCard } from '../../service/admin/block-card.js';
import { staffActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { requireRole } from '../middleware/admin-auth.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { BlockCardSchema, BlockedCardSchema, IdParam } from './schemas.js';

const block = createRoute({
  method: 'post', path: '/v1/admin/cards/{id}/block', tags: ['admin'], summary: 'Block a card, with a reason',
  security: [{ adminKey: [] }], middleware: [requireRole('admin', 'ops')] as const,
  request: { params: IdParam, body: jsonBody(BlockCardSchema) },
  responses: {
    200: jsonResponse(BlockedCardSchema, 'Blocked'), 404: problemResponse('Not found'),
    409: problemResponse('The card is in a state that cannot be blocked'), ...commonErrors,
  },
});

export function registerAdminCards(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(block, async (c) =>
    c.json(await blockCard(deps, c.req.valid('param').id, c.req.valid('json').reason, staffActor(c)), 200));
}
