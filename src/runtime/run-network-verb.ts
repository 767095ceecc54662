// Runs one network verb in a transaction. A unique violation means a concurrent twin (same
// idempotency key) committed first: run again, and the verb finds and replays it.
// Verbs share transactions through group commit: on SQLite one fsync for all the requests that
// arrived together (group-commit.ts), on PostgreSQL one commit per batch, several batches in flight
// (pg-group-commit.ts, docs/decisions/0071-pg-group-commit.md). With PG_GROUP_COMMIT=0, PostgreSQL runs one transaction per request.
// `lane`, when given, keeps the requests that share it (an authorization's PAN) in one lane; `hint`
// says what the work will read, for a PostgreSQL batch's read ahead (pg-group-commit.ts).
import type { Trx } from '../store/db.js';
import type { ServiceContext } from '../service/context.js';
import { groupCommitFor } from './group-commit.js';
import { pgGroupCommitFor, runAlone } from './pg-group-commit.js';

// Not an async function: the group commit's own promise is handed back, not wrapped in another.
export function runNetworkVerb<T>(ctx: ServiceContext, work: (trx: Trx) => Promise<T>, lane?: string, hint?: unknown): Promise<T> {
  if (ctx.handle.dialect === 'sqlite') return groupCommitFor(ctx.handle).run(work);
  const pgGroupCommit = pgGroupCommitFor(ctx.handle);
  if (pgGroupCommit) return pgGroupCommit.run(work, lane, hint);
  return runAlone(ctx.handle, work);
}
