import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { reverseNetworkRequest } from '../../service/network/reverse.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, networkErrors } from '../openapi-common.js';
import { ReversalRequestSchema, ReversalResponseSchema } from './schemas.js';

const route = createRoute({
  method: 'post',
  path: '/v1/network/reversals',
  tags: ['network'],
  summary: 'Reverse an authorization in full or in part (0400)',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(ReversalRequestSchema) },
  responses: {
    200: jsonResponse(ReversalResponseSchema, "The reversal result; responseCode 25 when the original is unknown or another client's"),
    ...commonErrors,
    ...networkErrors,
  },
});

export function registerReversals(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const response = await reverseNetworkRequest(deps, body, c.get('networkClient'));
    return c.json(response, 200);
  });
}
