// Cookies of the web pages. Secrets (session, pending sign-in) go through the service's one cookie
// helper (HttpOnly, SameSite=Strict, Path=/, Secure in production). The language choice is not a
// secret: SameSite=Lax, so a link from another site still opens in the remembered language.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.js';
import type { AppEnv } from '../http/env.js';
import { clearSecureCookie, setSecureCookie } from '../http/middleware/cookies.js';

export const LANG_COOKIE = 'isc_lang';
/** Sealed "password checked, code still due" note between the two sign-in steps. */
export const PENDING_LOGIN_COOKIE = 'isc_login';
export { SESSION_COOKIE } from '../http/middleware/banking-session.js';

export function setSecret(c: Context<AppEnv>, config: Pick<Config, 'env'>, name: string, value: string, maxAgeSeconds?: number): void {
  setSecureCookie(c, config, name, value, maxAgeSeconds !== undefined ? { maxAgeSeconds } : {});
}

export const clearSecret = clearSecureCookie;

export function setPreference(c: Context, config: Pick<Config, 'env'>, name: string, value: string): void {
  setCookie(c, name, value, { httpOnly: true, sameSite: 'Lax', path: '/', secure: config.env === 'production', maxAge: 365 * 24 * 3600 });
}

export { getCookie };
