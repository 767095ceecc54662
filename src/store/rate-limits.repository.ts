// Fixed-window rate-limit counters in the database, so every instance shares them.
// One upsert per hit: a new window resets the count atomically on both backends.
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/**
 * Rows a prune passes over per statement. There is one counter per address and route, so a login
 * attack from many addresses leaves millions, and one delete over all of them would hold the
 * thread that answers the network (SQLite) for seconds.
 */
export const PRUNE_SLICE_ROWS = 4096;

/**
 * Housekeeping: drops counters of windows long gone, in slices of the primary key with the event
 * loop free between them. Returns how many it dropped.
 */
export async function pruneRateLimits(db: Executor, olderThanMs: number, sliceRows = PRUNE_SLICE_ROWS): Promise<number> {
  let dropped = 0;
  let after: string | undefined;
  for (;;) {
    let edge = db.selectFrom('rate_limits').select('bucket').orderBy('bucket').limit(1).offset(sliceRows - 1);
    if (after !== undefined) edge = edge.where('bucket', '>', after);
    const last = (await edge.executeTakeFirst())?.bucket;
    let doomed = db.deleteFrom('rate_limits').where('window_start', '<', olderThanMs);
    if (after !== undefined) doomed = doomed.where('bucket', '>', after);
    if (last !== undefined) doomed = doomed.where('bucket', '<=', last);
    dropped += Number((await doomed.executeTakeFirst()).numDeletedRows);
    if (last === undefined) return dropped;
    after = last;
    await nextTurn();
  }
}
