// Rate limits (SPEC §6): which counters a request hits, per client address and per account
// (username, customer, staff key, card). The counting is the service's (enforce-rate-limit.ts);
// over the limit, 429 rate_limited with Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import { enforceRateLimit } from '../../service/rate-limits/enforce-rate-limit.js';
import { clientIp } from '../client-ip.js';
import type { AppDeps, AppEnv } from '../env.js';

// The pages count their forms with the same verb.
export { enforceRateLimit };

export interface RateLimitRule {
  /** Names the counter, e.g. `login-ip`. */
  name: string;
  limit: (deps: AppDeps) => number;
  /** The key to count under; null skips this rule for the request. */
  key: (c: Context<AppEnv>) => string | null | Promise<string | null>;
}

export function rateLimit(deps: AppDeps, ...rules: RateLimitRule[]): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    for (const rule of rules) {
      const key = await rule.key(c);
      if (key !== null) await enforceRateLimit(deps, rule.name, key, rule.limit(deps));
    }
    await next();
  };
}

/** In-process requests (tests) have no socket: they share one address. */
export const byAddress = (c: Context<AppEnv>) => clientIp(c) ?? 'local';

/** The media types hono's json validator reads (validator.ts): the route reads no other body as JSON. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A JSON body field, for per-account keys; a malformed body skips the rule (validation answers it).
 * So does a body not sent as JSON: the route refuses it (415) without reading it, and neither did
 * the check of storable text (storable-text.ts), so a username there could hold U+0000 (a 500 on
 * PostgreSQL) or an unpaired surrogate (one counter on PostgreSQL for names SQLite keeps apart).
 */
export async function bodyField(c: Context<AppEnv>, field: string): Promise<string | null> {
  if (!JSON_MEDIA_TYPE.test((c.req.header('content-type') ?? '').split(';')[0].trim())) return null;
  try {
    const body = await c.req.json();
    const value = body?.[field];
    return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;
  } catch {
    return null;
  }
}

const limits = (deps: AppDeps) => deps.config.rateLimits;

/** Sign-in: per address and per username (whether or not it exists). */
export const loginRateLimit = (deps: AppDeps) => rateLimit(deps,
  { name: 'login-ip', limit: (d) => limits(d).loginPerMinute, key: byAddress },
  { name: 'login-user', limit: (d) => limits(d).sensitivePerMinute,
    key: async (c) => (await bodyField(c, 'username'))?.toLowerCase() ?? null });

/** Reveal and 3-D Secure answers in online banking: per address and per customer (after the session). */
export const sensitiveBankingRateLimit = (deps: AppDeps, name: string) => rateLimit(deps,
  { name: `${name}-ip`, limit: (d) => limits(d).sensitivePerMinute, key: byAddress },
  { name: `${name}-customer`, limit: (d) => limits(d).sensitivePerMinute, key: (c) => c.get('customerId') ?? null });

/** Admin API, before authentication: per address, so guessing keys is slow too. */
export const adminAddressRateLimit = (deps: AppDeps) => rateLimit(deps,
  { name: 'admin-ip', limit: (d) => limits(d).adminPerMinute, key: byAddress });

/** Admin API, after authentication: per staff key. */
export const adminKeyRateLimit = (deps: AppDeps) => rateLimit(deps,
  { name: 'admin-key', limit: (d) => limits(d).adminPerMinute, key: (c) => c.get('staff')?.id ?? null });
