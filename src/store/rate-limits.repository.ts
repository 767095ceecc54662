// Fixed-window rate-limit counters in the database, so every instance shares them (issue 7).
// One upsert per hit: a new window resets the count atomically on both backends.
import { sql } from 'kysely';
import type { Executor } from './db.js';

export interface RateLimitHit { hits: number; windowStart: number }

export async function hitRateLimit(db: Executor, bucket: string, windowMs: number, nowMs: number): Promise<RateLimitHit> {
  const windowStart = nowMs - (nowMs % windowMs);
  const row = await db.insertInto('rate_limits').values({ bucket, window_start: windowStart, hits: 1 })
    .onConflict((oc) => oc.column('bucket').doUpdateSet({
      hits: sql<number>`case when rate_limits.window_start = ${windowStart} then rate_limits.hits + 1 else 1 end`,
      window_start: windowStart,
    }))
    .returning(['hits', 'window_start'])
    .executeTakeFirstOrThrow();
  return { hits: Number(row.hits), windowStart: Number(row.window_start) };
}

/** Housekeeping: drops counters of windows long gone. */
export async function pruneRateLimits(db: Executor, olderThanMs: number): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', olderThanMs).execute();
}
