// The one reading of the Authorization header (SPEC §6): only the Bearer scheme (case-insensitive,
// RFC 9110 §11.1) is a credential of ours. A request carrying one is exempt from the CSRF check and
// is never authenticated by a cookie: a browser sends a bearer token only when a script of ours
// set it, whereas it attaches cookies and Basic credentials to cross-site requests by itself.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';

const BEARER = /^Bearer(?:\s+(.*))?$/is;

/** The token of a Bearer authorization header ('' when empty); null when there is none. */
export function bearerToken(c: Context): string | null {
  const match = BEARER.exec(c.req.header('authorization') ?? '');
  return match ? (match[1] ?? '').trim() : null;
}

/** A cookie that carries authority (session, pending sign-in): absent when the request carries a Bearer header. */
export function authorityCookie(c: Context, name: string): string | undefined {
  return bearerToken(c) === null ? getCookie(c, name) : undefined;
}
