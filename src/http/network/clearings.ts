import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { clearBatch } from '../../service/clearing/clear-batch.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse } from '../openapi-common.js';
import { ClearingBatchSchema, ClearingResultsSchema } from './schemas.js';

const route = createRoute({
  method: 'post',
  path: '/v1/network/clearings',
  tags: ['network'],
  summary: 'Post a batch of clearing records (up to 10 MiB)',
  description: 'One result per record, in order: posted, duplicate, posted_unmatched (no authorization; flagged for review) or rejected with a code.',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(ClearingBatchSchema) },
  responses: { 200: jsonResponse(ClearingResultsSchema, 'One result per record'), ...commonErrors },
});

export function registerClearings(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(route, async (c) => {
    // The batch logs failed records: with this request's id (requests carry their logger explicitly).
    const ctx = { ...deps, logger: deps.logger.child({ requestId: c.get('requestId') }) };
    const results = await clearBatch(ctx, c.req.valid('json').records, c.get('networkClient'));
    return c.json({ results }, 200);
  });
}
