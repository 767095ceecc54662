// 3-D Secure challenges in online banking (SPEC §7): list, approve with a TOTP code, decline.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { approveChallenge, declineChallenge, listChallenges } from '../../service/three-ds/challenges.js';
import { cardholderActor } from '../actors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { OtpOnlySchema } from './schemas.js';

const security = [{ bearer: [] }];
const IdParam = z.object({ id: z.string().min(1).max(64) });

const ChallengeListSchema = z.object({
  data: z.array(z.object({
    id: z.string().openapi({ description: 'The authentication id' }),
    amount: z.number().int().openapi({ description: 'Minor units of the purchase currency' }),
    currency: z.string().openapi({ example: 'USD' }),
    billingAmount: z.number().int().nullable().openapi({ description: 'In fils (KWD)' }),
    merchantName: z.string(),
    expiresAt: z.string(),
  })),
}).openapi('ThreeDsChallengeList');

const DecisionSchema = z.object({ id: z.string(), transStatus: z.enum(['Y', 'N']) }).openapi('ThreeDsChallengeDecision');
const errors = { 404: problemResponse('No such challenge of yours'), 409: problemResponse('Expired or already answered'), ...commonErrors };

const list = createRoute({
  method: 'get', path: '/v1/banking/3ds/challenges', tags: ['banking'], summary: 'Purchases waiting for your approval', security,
  responses: { 200: jsonResponse(ChallengeListSchema, 'Open challenges'), ...commonErrors },
});
const approve = createRoute({
  method: 'post', path: '/v1/banking/3ds/challenges/{id}/approve', tags: ['banking'],
  summary: 'Approve with your TOTP code (wrong codes count toward the lockout)', security,
  request: { params: IdParam, body: jsonBody(OtpOnlySchema) },
  responses: { 200: jsonResponse(DecisionSchema, 'Approved'), 403: problemResponse('Code missing or wrong'), ...errors },
});
const decline = createRoute({
  method: 'post', path: '/v1/banking/3ds/challenges/{id}/decline', tags: ['banking'], summary: 'Decline: this was not you', security,
  request: { params: IdParam },
  responses: { 200: jsonResponse(DecisionSchema, 'Declined'), ...errors },
});

export function registerBankingThreeDs(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(list, async (c) => c.json({ data: await listChallenges(deps, c.get('customerId')) }, 200));
  app.openapi(approve, async (c) => c.json(await approveChallenge(deps, c.get('customerId'), c.req.valid('param').id,
    c.req.valid('json').otp, cardholderActor(c)), 200));
  app.openapi(decline, async (c) => c.json(await declineChallenge(deps, c.get('customerId'), c.req.valid('param').id, cardholderActor(c)), 200));
}
