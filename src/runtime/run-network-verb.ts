// Runs one network verb in a transaction. A unique violation means a concurrent twin (same
// idempotency key) committed first: run again, and the verb finds and replays it.
// On SQLite, verbs share transactions through group commit (group-commit.ts): one fsync for all
// the requests that arrived together. PostgreSQL keeps one transaction per request: the pool runs
// them in parallel and the server groups commits itself (see docs/decisions/0044-group-commit.md).
import type { Trx } from '../store/db.js';
import { inTransaction, isUniqueViolation } from '../store/transaction.js';
import type { ServiceContext } from '../service/context.js';
import { groupCommitFor } from './group-commit.js';

export async function runNetworkVerb<T>(ctx: ServiceContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  if (ctx.handle.dialect === 'sqlite') return groupCommitFor(ctx.handle).run(work);
  try {
    return await inTransaction(ctx.handle, work);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return inTransaction(ctx.handle, work);
  }
}
