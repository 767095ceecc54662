// Online-banking authentication: Authorization: Bearer <token>, or the HttpOnly session cookie
// the web pages use. A request with a Bearer header is judged by its token alone, never by the
// cookie (SPEC §6): it skipped the CSRF check, which only a cookie request must pass.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { bearerToken } from './bearer.js';
import { authenticateSession } from '../../service/banking/sessions.js';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv } from '../env.js';

export const SESSION_COOKIE = 'isc_session';

export function bankingSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function authenticateCardholder(c, next) {
    const bearer = bearerToken(c);
    const token = bearer !== null ? bearer : getCookie(c, SESSION_COOKIE);
    if (!token) throw new ServiceError('unauthorized', 'Sign in first.');
    const session = await authenticateSession(deps, token);
    c.set('customerId', session.customer_id);
    c.set('sessionId', session.id);
    await next();
  };
}
