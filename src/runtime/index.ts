// The runtime's seam: how a verb's writes are committed, and nothing more. Behind it, and nowhere
// else, live the machinery that makes that fast: group commit (group-commit.ts) with the WAL's
// fsync off the event loop (wal-sync.ts), the checkpoint threads that let the WAL start over
// (checkpointer.ts), the authorization worker thread (authorization-worker.ts), the audit heads kept
// between batches (audit-heads.ts), the prepared-statement caches (prepared.ts,
// pg-named-statements.ts), the report thread, prewarm and thread priorities. A verb is written as
// one function of a transaction and hands it to runNetworkVerb; it need not know any of the above.
//
// Work run inside a shared commit (SharedCommitWork) keeps three rules, because many requests
// share one transaction and one commit:
//
// 1. It may run more than once: a batch in which any work threw is rolled back and runs again
//    (group-commit.ts), and work that meets a unique violation (a twin request with the same
//    idempotency key committed first) runs once more and finds the twin. So it reads what it
//    decides on from the transaction, every time.
// 2. It changes nothing except through the transaction it is handed: no state in memory that
//    outlives the transaction, no events published, no messages sent. A first run rolled back then
//    leaves nothing behind. What must follow the commit (waking cardholders, metrics) it returns,
//    and its caller does it once runNetworkVerb has resolved, which is when the commit is durable.
// 3. What it returns, and what it throws, cross a thread: the authorization worker runs the work
//    on a thread of its own and posts the outcome back (structured clone). Plain data only: no
//    functions, no class instances whose methods are needed on the other side; a thrown
//    ServiceError crosses as its code, message and details (authorization-worker.ts).
//
// Who imports what: verbs and services import this file only. Repositories (and the statements
// authorize.ts prepares for itself) import the statement cache, `prepared` and `param`, from
// runtime/prepared.ts. The process's wiring — main.ts, bootstrap.ts, jobs.ts, store/db.ts,
// http/env.ts, /metrics and the threads' entries — imports the modules it starts, stops and
// observes directly.
import type { ServiceContext } from '../service/context.js';
import type { Trx } from '../store/db.js';
import { runNetworkVerb as runInCommit } from './run-network-verb.js';

/**
 * A unit of work run inside a shared commit: it may run more than once, changes nothing but
 * through `trx`, and what it returns or throws must survive a structured clone (the rules at the
 * top of this file).
 */
export type SharedCommitWork<T> = (trx: Trx) => Promise<T>;

/**
 * Runs a verb's work in a transaction, which it may share with other requests (group commit), and
 * resolves with what the work returned once the commit is durable.
 */
export function runNetworkVerb<T>(ctx: ServiceContext, work: SharedCommitWork<T>): Promise<T> {
  return runInCommit(ctx, work);
}

/** A network authorization: on the authorization worker's thread when there is one, else through runNetworkVerb. */
export { authorizeNetworkRequest } from './authorization-worker.js';
/** Which database an executor speaks to: for services that phrase a query per dialect. */
export { dialectOf } from './prepared.js';
