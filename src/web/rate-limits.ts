// The pages call the services directly, so they count against the same rate-limit windows as the
// API routes they mirror (same counter names): signing in, revealing, answering 3-D Secure.
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
