// Rate limits (SPEC §6): fixed one-minute windows counted in the rate_limits table, so all
// instances share them. Over the limit: rate_limited, with the seconds until the window ends.
import { hitRateLimit } from '../../store/rate-limits.repository.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';

export const RATE_WINDOW_MS = 60_000;

/** Counts one hit on `name:key`; throws rate_limited when the window is full. */
export async function enforceRateLimit(ctx: ServiceContext, name: string, key: string, limit: number): Promise<void> {
  const nowMs = ctx.clock.now();
  const { hits, windowStart } = await hitRateLimit(ctx.handle.db, `${name}:${key}`, RATE_WINDOW_MS, nowMs);
  if (hits > limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + RATE_WINDOW_MS - nowMs) / 1000));
    throw new ServiceError('rate_limited', 'Too many requests. Slow down and try again shortly.', {}, retryAfter);
  }
}
