// Runs one network verb in a transaction. A unique violation means a concurrent twin (same
// idempotency key) committed first: run again, and the verb finds and replays it.
// Group commit (many authorizations in one commit) plugs in here without touching the verbs.
import type { Trx } from '../../store/db.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';

export async function runNetworkVerb<T>(ctx: ServiceContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(ctx.handle, work);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return inTransaction(ctx.handle, work);
  }
}
