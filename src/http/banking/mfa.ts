import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { confirmTotpEnrolment, startTotpEnrolment } from '../../service/banking/mfa.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { OtpOnlySchema, TotpEnrolmentSchema, TotpEnrolRequestSchema } from './schemas.js';

const start = createRoute({
  method: 'post', path: '/v1/banking/mfa/totp', tags: ['banking'],
  summary: 'Start TOTP enrolment (replacing an enrolled secret needs the current code)',
  security: [{ bearer: [] }],
  request: { body: { required: false, content: { 'application/json': { schema: TotpEnrolRequestSchema } } } },
  responses: { 200: jsonResponse(TotpEnrolmentSchema, 'The new secret and its otpauth URI'), 403: problemResponse('Current code needed'), ...commonErrors },
});

const confirm = createRoute({
  method: 'post', path: '/v1/banking/mfa/totp/confirm', tags: ['banking'], summary: 'Confirm enrolment with a first code',
  security: [{ bearer: [] }], request: { body: jsonBody(OtpOnlySchema) },
  responses: { 200: jsonResponse(z.object({ enrolled: z.boolean() }), 'Enrolled'), 409: problemResponse('No enrolment started'), ...commonErrors },
});

export function registerBankingMfa(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(start, async (c) => c.json(await startTotpEnrolment(deps, c.get('customerId'), c.req.valid('json')?.otp), 200));
  app.openapi(confirm, async (c) =>
    c.json(await confirmTotpEnrolment(deps, c.get('customerId'), c.req.valid('json').otp, clientIp(c)), 200));
}
