// The pages call the services directly, so they count against the same rate-limit windows as the
// API routes they mirror (same counter names): signing in, revealing, answering 3-D Secure.
import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../http/env.js';
import { byAddress, enforceRateLimit } from '../http/middleware/rate-limit.js';
import type { BankingWeb, Web } from './web-context.js';

export async function limitSignIn(w: Web, username: string): Promise<void> {
  const limits = w.deps.config.rateLimits;
  await enforceRateLimit(w.deps, 'login-ip', byAddress(w.c), limits.loginPerMinute);
  if (username) await enforceRateLimit(w.deps, 'login-user', username.toLowerCase(), limits.sensitivePerMinute);
}

export async function limitSensitive(w: BankingWeb, name: 'reveal' | 'challenge'): Promise<void> {
  const limit = w.deps.config.rateLimits.sensitivePerMinute;
  await enforceRateLimit(w.deps, `${name}-ip`, byAddress(w.c), limit);
  await enforceRateLimit(w.deps, `${name}-customer`, w.customerId, limit);
}

/**
 * The demo pages' forms send signed network messages for whoever posts them: per client address,
 * as many a minute as the other sensitive actions, so the simulator is no bulk tool.
 */
export function limitDemoPages(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function limitDemo(c, next) {
    if (c.req.method === 'POST') await enforceRateLimit(deps, 'demo-ip', byAddress(c), deps.config.rateLimits.sensitivePerMinute);
    await next();
  };
}
