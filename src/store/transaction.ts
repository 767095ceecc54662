// Runs a unit of work in one transaction, retrying the errors PostgreSQL asks us to retry.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbHandle, Trx } from './db.js';

const RETRYABLE_PG_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock
/** Attempts in all, the first included: a retry storm cannot run away. */
export const MAX_ATTEMPTS = 5;
/**
 * A retry waits a random 0..2^attempt ms first. Without it, the deadlock victim's retry can grab
 * the row its rival was about to get when woken, and deadlock with it again.
 */
export const retryDelayMs = (attempt: number) => Math.random() * 2 ** attempt;

export async function inTransaction<T>(handle: Pick<DbHandle, 'db'>, work: (trx: Trx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_PG_CODES.has(code)) throw error;
      await sleep(retryDelayMs(attempt));
    }
  }
}

/** True when the error is a unique-constraint violation on either backend. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
