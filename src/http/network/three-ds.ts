// 3-D Secure for gateways (SPEC §7): start an authentication, read its result.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { enforceRateLimit } from '../../service/rate-limits/enforce-rate-limit.js';
import { authenticatePurchase } from '../../service/three-ds/authenticate-purchase.js';
import { getAuthentication } from '../../service/three-ds/get-authentication.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { MAX_AMOUNT, text } from './schemas.js';

const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`), `must be ${n} digits`);

export const ThreeDsRequestSchema = z.object({
  pan: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').openapi({ example: '4657810000000000' }),
  expiry: digits(4).openapi({ description: 'YYMM', example: '2911' }),
  amount: z.number().int('must be an integer number of minor units').min(1).max(MAX_AMOUNT).openapi({ example: 12500 }),
  currency: digits(3).openapi({ description: 'ISO 4217 numeric', example: '414' }),
  merchantId: text(32).openapi({ example: 'M-1001' }),
  merchantName: text(100).openapi({ example: 'Gulf Books Online' }),
}).openapi('ThreeDsAuthenticationRequest');

export const ThreeDsResponseSchema = z.object({
  id: z.string(),
  transStatus: z.enum(['Y', 'C', 'N']),
  eci: z.string().optional(),
  cavv: z.string().optional().openapi({ description: 'base64 of 20 bytes; one authorization within 10 minutes' }),
}).openapi('ThreeDsAuthentication');

const start = createRoute({
  method: 'post', path: '/v1/network/3ds/authentications', tags: ['network'],
  summary: 'Authenticate the cardholder for a purchase (frictionless Y, challenge C, or N)',
  security: [{ networkSignature: [] }],
  request: { body: jsonBody(ThreeDsRequestSchema) },
  responses: { 200: jsonResponse(ThreeDsResponseSchema, 'The authentication'), ...commonErrors },
});

const read = createRoute({
  method: 'get', path: '/v1/network/3ds/authentications/{id}', tags: ['network'],
  summary: 'Read an authentication this client created (C until answered; N after 5 minutes unanswered)',
  security: [{ networkSignature: [] }],
  // The id is looked up as given: U+0000 in it (`%00`) would fail the query on PostgreSQL (a 500).
  request: { params: z.object({ id: text(64) }) },
  responses: { 200: jsonResponse(ThreeDsResponseSchema, 'The authentication'), 404: problemResponse('Not found (or not yours)'), ...commonErrors },
});

export function registerThreeDs(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(start, async (c) => {
    const request = c.req.valid('json');
    // Per card: a flood of challenges at one cardholder is refused before any is created.
    await enforceRateLimit(deps, '3ds-card', deps.keyring.fingerprint(request.pan), deps.config.rateLimits.sensitivePerMinute);
    return c.json(await authenticatePurchase(deps, { request, networkClient: c.get('networkClient'), sourceIp: clientIp(c) }), 200);
  });
  app.openapi(read, async (c) => c.json(await getAuthentication(deps, c.get('networkClient'), c.req.valid('param').id), 200));
}
