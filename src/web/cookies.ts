// Cookies of the web pages. Secrets (session, CSRF, pending sign-in) are HttpOnly, SameSite=Strict,
// Path=/ and Secure in production. The language choice is not a secret: SameSite=Lax, so a link
// from another site still opens the page in the remembered language.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const LANG_COOKIE = 'isc_lang';
export const CSRF_COOKIE = 'isc_csrf';
/** Sealed "password checked, code still due" state between the two sign-in steps. */
export const PENDING_LOGIN_COOKIE = 'isc_login';
export { SESSION_COOKIE } from '../http/middleware/banking-session.js';

export function setSecret(c: Context, production: boolean, name: string, value: string, maxAgeSeconds?: number): void {
  setCookie(c, name, value, {
    httpOnly: true, sameSite: 'Strict', path: '/', secure: production,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  });
}

export function clearSecret(c: Context, production: boolean, name: string): void {
  deleteCookie(c, name, { path: '/', secure: production, httpOnly: true, sameSite: 'Strict' });
}

export function setPreference(c: Context, production: boolean, name: string, value: string): void {
  setCookie(c, name, value, { httpOnly: true, sameSite: 'Lax', path: '/', secure: production, maxAge: 365 * 24 * 3600 });
}

export { getCookie };
