// Counts wrong passwords and codes per subject (a username, whether or not it exists, or a
// customer's codes) and locks the subject after too many (SPEC §6). An attempt is counted before
// it is judged, in one statement (`failures + 1`, the lock set or an expired one reset in the same
// upsert), so a burst of concurrent attempts has at most MAX_FAILURES judged on their value: the
// rest find the count past the limit and are answered as locked. An attempt that turns out right
// gives its count back (refundAttempt) or clears the subject (clearFailures).
import { sql } from 'kysely';
import type { Executor } from './db.js';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export async function lockedUntil(db: Executor, subject: string, nowMs: number): Promise<number | null> {
  const row = await db.selectFrom('auth_failures').select('locked_until').where('subject', '=', subject).executeTakeFirst();
  return row?.locked_until && Number(row.locked_until) > nowMs ? Number(row.locked_until) : null;
}

/** Judged: the caller checks it, and `remainingTries` are left if it is wrong. */
export type Attempt = { judged: true; remainingTries: number } | { judged: false; lockedUntil: number };

/**
 * Counts an attempt before it is checked. Judged: the caller checks it (a wrong one stays counted;
 * the one that reaches the limit is still answered as wrong, the lock shows from the next try).
 * Not judged: the subject is locked; the caller answers so without looking at the value.
 */
export async function takeAttempt(db: Executor, subject: string, nowMs: number): Promise<Attempt> {
  const lockEnd = nowMs + LOCK_MS;
  // A lock that has run out starts a fresh count; a live lock keeps its end.
  const expired = sql<boolean>`auth_failures.locked_until <= ${nowMs}`;
  const row = await db.insertInto('auth_failures')
    .values({ subject, failures: 1, locked_until: MAX_FAILURES <= 1 ? lockEnd : null, updated_at: nowMs })
    .onConflict((oc) => oc.column('subject').doUpdateSet({
      failures: sql<number>`CASE WHEN ${expired} THEN 1 ELSE auth_failures.failures + 1 END`,
      locked_until: sql<number | null>`CASE WHEN ${expired} THEN NULL
        WHEN auth_failures.locked_until IS NOT NULL THEN auth_failures.locked_until
        WHEN auth_failures.failures + 1 >= ${MAX_FAILURES} THEN ${lockEnd} ELSE NULL END`,
      updated_at: nowMs,
    }))
    .returning(['failures', 'locked_until']).executeTakeFirstOrThrow();
  if (Number(row.failures) <= MAX_FAILURES) return { judged: true, remainingTries: MAX_FAILURES - Number(row.failures) };
  return { judged: false, lockedUntil: row.locked_until === null ? lockEnd : Number(row.locked_until) };
}

/** Gives back the count of an attempt that was right but does not end the subject's failures (a password before its code). */
export async function refundAttempt(db: Executor, subject: string): Promise<void> {
  await db.updateTable('auth_failures').set({
    failures: sql<number>`failures - 1`,
    locked_until: sql<number | null>`CASE WHEN failures - 1 >= ${MAX_FAILURES} THEN locked_until ELSE NULL END`,
  }).where('subject', '=', subject).where('failures', '>', 0).execute();
}

export async function clearFailures(db: Executor, subject: string): Promise<void> {
  await db.deleteFrom('auth_failures').where('subject', '=', subject).execute();
}
