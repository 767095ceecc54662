import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { listTransactions } from '../../service/banking/list-transactions.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonResponse, problemResponse } from '../openapi-common.js';
import { CardIdParam, PageQuery, TransactionPageSchema } from './schemas.js';

const list = createRoute({
  method: 'get', path: '/v1/banking/cards/{id}/transactions', tags: ['banking'], security: [{ bearer: [] }],
  summary: "The card account's transactions, newest first, declined attempts included",
  description: 'Cursor pagination: pass `nextCursor` back as `cursor`; null means the last page. Stable while new transactions arrive.',
  request: { params: CardIdParam, query: PageQuery },
  responses: { 200: jsonResponse(TransactionPageSchema, 'One page'), 404: problemResponse('No such card of yours'), ...commonErrors },
});

export function registerBankingTransactions(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(list, async (c) =>
    c.json(await listTransactions(deps, c.get('customerId'), c.req.valid('param').id, c.req.valid('query')), 200));
}
