// One unit of a group-commit batch in its own savepoint, shared by the SQLite and PostgreSQL group
// commits: a failing unit is rolled back alone and its neighbours still commit. A unique violation
// means a twin (same idempotency key) was created first, in this batch or by another writer: the
// unit runs once more, and the verb finds and replays it — the same retry runNetworkVerb does with
// a transaction per request.
import { CompiledQuery } from 'kysely';
import type { Trx } from '../store/db.js';
import { isUniqueViolation } from '../store/transaction.js';
import { runFixed } from './prepared.js';

export type UnitOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const SAVEPOINT = CompiledQuery.raw('savepoint group_item');
const RELEASE = CompiledQuery.raw('release savepoint group_item');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint group_item');

/**
 * Runs `work` in a savepoint. `beforeRollback` sees a unit's error before its savepoint is rolled
 * back: it throws to end the whole batch (an error that is no fault of the unit's), or undoes what
 * the caller kept of the unit (cached audit heads).
 */
export async function runInSavepoint(trx: Trx, work: (trx: Trx) => Promise<unknown>, beforeRollback: (error: unknown) => void): Promise<UnitOutcome> {
  for (let attempt = 1; ; attempt++) {
    await runFixed(trx, SAVEPOINT);
    try {
      const value = await work(trx);
      await runFixed(trx, RELEASE);
      return { ok: true, value };
    } catch (error) {
      beforeRollback(error);
      await runFixed(trx, ROLLBACK_TO);
      await runFixed(trx, RELEASE);
      if (attempt >= 2 || !isUniqueViolation(error)) return { ok: false, error };
    }
  }
}
