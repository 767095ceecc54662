import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { login, logout } from '../../service/banking/sessions.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonBody, jsonResponse } from '../openapi-common.js';
import { LoginSchema, SessionSchema } from './schemas.js';

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

export function registerBankingSessions(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(create, async (c) => {
    const session = await login(deps, c.req.valid('json'), { ip: clientIp(c), userAgent: c.req.header('user-agent') });
    return c.json({ token: session.token, expiresAt: session.expiresAt }, 200);
  });
  app.openapi(remove, async (c) => {
    await logout(deps, c.get('sessionId'), c.get('customerId'));
    return c.body(null, 204);
  });
}
