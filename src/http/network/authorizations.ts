import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { authorizeNetworkRequest } from '../../runtime/index.js';
import type { AuthorizeInput, AuthorizationResponse } from '../../service/network/authorize.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, networkErrors } from '../openapi-common.js';
import { clientIp } from '../client-ip.js';
import { AuthorizationRequestSchema, AuthorizationResponseSchema } from './schemas.js';

const route = createRoute({
  method: 'post',
  path: '/v1/network/authorizations',
  tags: ['network'],
  summary: 'Authorize a purchase (0100)',
  description: 'Applies the rules of SPEC §4 in order; every decision, approved or declined, is stored.',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(AuthorizationRequestSchema) },
  responses: {
    200: jsonResponse(AuthorizationResponseSchema, 'The decision (approved or declined)'),
    ...commonErrors,
    ...networkErrors,
  },
});

/** One authorization, as both the route and the fast path run it: the engine, then wake-ups and metrics. */
export async function answerAuthorization(deps: AppDeps, input: AuthorizeInput): Promise<AuthorizationResponse> {
  const outcome = await authorizeNetworkRequest(deps, input);
  for (const customerId of outcome.notify) deps.events.publish(customerId);
  deps.metrics?.recordAuthorization(outcome.response);
  return outcome.response;
}

export function registerAuthorizations(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(route, async (c) => {
    const request = c.req.valid('json');
    const response = await answerAuthorization(deps, { request, networkClient: c.get('networkClient'), sourceIp: clientIp(c) });
    return c.json(response, 200);
  });
}
