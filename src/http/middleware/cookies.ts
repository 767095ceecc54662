// The one way this service sets cookies: HttpOnly, SameSite=Strict, Path=/, and Secure
// when NODE_ENV=production (development runs on plain http://localhost).
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../config.js';
import type { AppEnv } from '../env.js';

export interface CookieOptions {
  /** Seconds; omit for a browser-session cookie. */
  maxAgeSeconds?: number;
  /** Only for values scripts must read (none today): HttpOnly is the default. */
  readableByScript?: boolean;
}

export function setSecureCookie(c: Context<AppEnv>, config: Pick<Config, 'env'>, name: string, value: string, o: CookieOptions = {}): void {
  setCookie(c, name, value, {
    httpOnly: !o.readableByScript, sameSite: 'Strict', path: '/', secure: config.env === 'production',
    ...(o.maxAgeSeconds !== undefined ? { maxAge: o.maxAgeSeconds } : {}),
  });
}

export function clearSecureCookie(c: Context<AppEnv>, config: Pick<Config, 'env'>, name: string): void {
  deleteCookie(c, name, { path: '/', secure: config.env === 'production', httpOnly: true, sameSite: 'Strict' });
}
