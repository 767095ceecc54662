// CSRF protection for cookie-authenticated requests. Only Bearer-token calls are exempt:
// a browser never attaches a bearer token cross-site on its own (it does attach Basic credentials
// it has been given for the site), and a Bearer request is never authenticated by a cookie (bearer.ts).
// For every state-changing request without one:
//   1. the browser's own word on where it came from must be this site: Sec-Fetch-Site
//      `same-origin` (or `none`, typed by the user) and, when sent, Origin equal to ours;
//   2. when the session cookie is present, a token must come back in the `X-CSRF-Token` header or
//      the `_csrf` form field: HMAC of the session token under a server key (signed
//      double-submit), so it changes with every sign-in and cannot be forged without the cookie.
// Pages embed csrfTokenFor(...) in their forms (or a meta tag for fetch).
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Keyring } from '../../crypto/keyring.js';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv } from '../env.js';
import { SESSION_COOKIE } from './banking-session.js';
import { authorityCookie, bearerToken } from './bearer.js';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FORM_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

/** The CSRF token that goes with a session token. */
export function csrfTokenFor(keyring: Keyring, sessionToken: string): string {
  return keyring.mac(`csrf|${sessionToken}`).subarray(0, 24).toString('base64url');
}

/** The token for the session cookie this request carries (for pages rendering a form), or null. */
export function csrfTokenForRequest(c: Context<AppEnv>, keyring: Keyring): string | null {
  const token = authorityCookie(c, SESSION_COOKIE);
  return token ? csrfTokenFor(keyring, token) : null;
}

function sameSite(c: Context<AppEnv>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return false;
  return true;
}

async function submittedToken(c: Context<AppEnv>): Promise<string | null> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  if (!FORM_TYPES.test(c.req.header('content-type') ?? '')) return null;
  try {
    const form = await c.req.parseBody();
    const value = form[CSRF_FORM_FIELD];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function csrfProtection(deps: Pick<AppDeps, 'keyring'>): MiddlewareHandler<AppEnv> {
  return async function checkCsrf(c, next) {
    // Network requests are signed, which a browser cannot forge; bearer calls carry no cookie authority.
    if (SAFE_METHODS.has(c.req.method) || bearerToken(c) !== null || c.req.path.startsWith('/v1/network/')) return next();
    if (!sameSite(c)) throw new ServiceError('csrf_rejected', 'Cross-site request refused.');
    const session = getCookie(c, SESSION_COOKIE);
    if (session) {
      const given = await submittedToken(c);
      if (!given || !equal(given, csrfTokenFor(deps.keyring, session))) {
        throw new ServiceError('csrf_rejected', 'The form has expired or did not come from this site. Reload the page and try again.');
      }
    }
    return next();
  };
}
