// Counts wrong passwords and codes per subject (a username, whether or not it exists, or a
// customer's step-up codes) and locks the subject after too many (SPEC §6, issue 5).
import type { Executor } from './db.js';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export async function lockedUntil(db: Executor, subject: string, nowMs: number): Promise<number | null> {
  const row = await db.selectFrom('auth_failures').select('locked_until').where('subject', '=', subject).executeTakeFirst();
  return row?.locked_until && row.locked_until > nowMs ? row.locked_until : null;
}

/** Records a failure; returns how many tries are left and the lock's end when this failure locks the subject. */
export async function recordFailure(db: Executor, subject: string, nowMs: number): Promise<{ remainingTries: number; lockedUntil: number | null }> {
  const row = await db.selectFrom('auth_failures').selectAll().where('subject', '=', subject).executeTakeFirst();
  // A lock that has run out starts a fresh count.
  const previous = row && !(row.locked_until && row.locked_until <= nowMs) ? row.failures : 0;
  const failures = previous + 1;
  const locked = failures >= MAX_FAILURES ? nowMs + LOCK_MS : null;
  await db.insertInto('auth_failures').values({ subject, failures, locked_until: locked, updated_at: nowMs })
    .onConflict((oc) => oc.column('subject').doUpdateSet({ failures, locked_until: locked, updated_at: nowMs }))
    .execute();
  return { remainingTries: Math.max(0, MAX_FAILURES - failures), lockedUntil: locked };
}

export async function clearFailures(db: Executor, subject: string): Promise<void> {
  await db.deleteFrom('auth_failures').where('subject', '=', subject).execute();
}
