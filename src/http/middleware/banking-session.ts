// Online-banking authentication: Authorization: Bearer <token>, or the HttpOnly session cookie
// the web pages use.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticateSession } from '../../service/banking/sessions.js';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv } from '../env.js';

export const SESSION_COOKIE = 'isc_session';

export function bankingSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function authenticateCardholder(c, next) {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : getCookie(c, SESSION_COOKIE);
    if (!token) throw new ServiceError('unauthorized', 'Sign in first.');
    const session = await authenticateSession(deps, token);
    c.set('customerId', session.customer_id);
    c.set('sessionId', session.id);
    await next();
  };
}
