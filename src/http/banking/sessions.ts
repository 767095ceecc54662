import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { listSessions, login, logout, revokeSession } from '../../service/banking/sessions.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse, problemResponse } from '../openapi-common.js';
import { LoginSchema, SessionIdParam, SessionListSchema, SessionSchema } from './schemas.js';

const create = createRoute({
  method: 'post', path: '/v1/banking/sessions', tags: ['banking'],
  summary: 'Sign in with username and password, then the TOTP code once enrolled',
  description: 'With TOTP enrolled and no otp the answer is 401 otp_required. Wrong passwords and codes are counted per username; 5 lock it for 15 minutes (429).',
  request: { body: jsonBody(LoginSchema) },
  responses: { 200: jsonResponse(SessionSchema, 'Signed in'), ...commonErrors },
});

const remove = createRoute({
  method: 'delete', path: '/v1/banking/sessions/current', tags: ['banking'], summary: 'Sign out',
  security: [{ bearer: [] }],
  responses: { 204: { description: 'Signed out' }, ...commonErrors },
});

const list = createRoute({
  method: 'get', path: '/v1/banking/sessions', tags: ['banking'], summary: 'Your live sessions (this one marked current)',
  security: [{ bearer: [] }],
  responses: { 200: jsonResponse(SessionListSchema, 'Sessions, newest first'), ...commonErrors },
});

const revoke = createRoute({
  method: 'delete', path: '/v1/banking/sessions/{id}', tags: ['banking'], summary: 'Sign out another session (by its public id)',
  security: [{ bearer: [] }], request: { params: SessionIdParam },
  responses: { 204: { description: 'Revoked' }, 404: problemResponse('No such live session of yours'), ...commonErrors },
});

export function registerBankingSessions(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => {
    const session = await login(deps, c.req.valid('json'), { ip: clientIp(c), userAgent: c.req.header('user-agent') });
    return c.json({ token: session.token, expiresAt: session.expiresAt }, 200);
  });
  app.openapi(remove, async (c) => {
    await logout(deps, c.get('sessionId'), c.get('customerId'), clientIp(c));
    return c.body(null, 204);
  });
  app.openapi(list, async (c) => c.json({ data: await listSessions(deps, c.get('customerId'), c.get('sessionId')) }, 200));
  // Registered after /current, so the literal path wins.
  app.openapi(revoke, async (c) => {
    await revokeSession(deps, c.get('customerId'), c.req.valid('param').id, clientIp(c));
    return c.body(null, 204);
  });
}
