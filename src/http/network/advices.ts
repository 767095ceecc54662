// POST /v1/network/authorization-advices (0120) and /v1/network/reversal-advices (0420), SPEC §5–6.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { advise } from '../../service/network/advise.js';
import { reverseAdvice } from '../../service/network/reverse-advice.js';
import { assertAcquirerPermitted } from '../../service/network/acquirer-scope.js';
import { runNetworkVerb } from '../../runtime/index.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse } from '../openapi-common.js';
import {
  AuthorizationAdviceRequestSchema, AuthorizationAdviceResponseSchema, ReversalAdviceRequestSchema, ReversalAdviceResponseSchema,
} from './schemas.js';

const authorizationAdvice = createRoute({
  method: 'post',
  path: '/v1/network/authorization-advices',
  tags: ['network'],
  summary: 'Authorization advice: the network decided in stand-in (0120)',
  description: 'Always acknowledged with "00". The network\'s decision stands: an approved purchase holds its amount even past '
    + 'the limit (spending the unused over-limit allowance when it goes past), a decline is recorded as one, and an advice '
    + 'for the acquirerId + rrn of an earlier decision replaces it and its hold. `needsReview` says the issuer\'s rules '
    + 'would have decided otherwise. Idempotent like an authorization.',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(AuthorizationAdviceRequestSchema) },
  responses: { 200: jsonResponse(AuthorizationAdviceResponseSchema, 'Acknowledged'), ...commonErrors },
});

const reversalAdvice = createRoute({
  method: 'post',
  path: '/v1/network/reversal-advices',
  tags: ['network'],
  summary: 'Reversal advice: the network reversed in stand-in (0420)',
  description: 'Always acknowledged with "00"; releases like a reversal. An unknown original is acknowledged with `needsReview`.',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(ReversalAdviceRequestSchema) },
  responses: { 200: jsonResponse(ReversalAdviceResponseSchema, 'Acknowledged'), ...commonErrors },
});

export function registerAdvices(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(authorizationAdvice, async (c) => {
    const request = c.req.valid('json');
    const input = { request, networkClient: c.get('networkClient'), sourceIp: clientIp(c) };
    await assertAcquirerPermitted(deps, input.networkClient, request.acquirerId);
    const outcome = await runNetworkVerb(deps, (trx) => advise(trx, deps, input));
    for (const customerId of outcome.notify) deps.events.publish(customerId);
    return c.json(outcome.response, 200);
  });
  app.openapi(reversalAdvice, async (c) => {
    const body = c.req.valid('json');
    if (body.acquirerId !== undefined) await assertAcquirerPermitted(deps, c.get('networkClient'), body.acquirerId);
    const response = await runNetworkVerb(deps, (trx) => reverseAdvice(trx, deps, body, c.get('networkClient')));
    return c.json(response, 200);
  });
}
