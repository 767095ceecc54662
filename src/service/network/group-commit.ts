// Group commit (SQLite): network requests that arrive together share one transaction and one
// fsync. Each unit of work runs in its own savepoint, so a failing one is rolled back alone and its
// neighbours still commit; every caller is answered only after the commit has returned, so an
// answer never announces something a power cut could take back.
//
// Batches form by themselves: the first request to arrive schedules a run with setImmediate, so
// every request read from the sockets in that turn of the event loop joins it; requests arriving
// while a batch runs form the next one. better-sqlite3 is synchronous, so a batch (its queries and
// the COMMIT's fsync) holds the event loop; that is the price of one commit for many.
import { CompiledQuery } from 'kysely';
import type { DbHandle, Trx } from '../../store/db.js';
import { isUniqueViolation } from '../../store/transaction.js';

/** Largest batch: bounds how long one commit holds the event loop. */
export const MAX_BATCH = 256;

const SAVEPOINT = CompiledQuery.raw('savepoint group_item');
const RELEASE = CompiledQuery.raw('release savepoint group_item');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint group_item');

interface Pending {
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export interface BatchStats { size: number; failed: number; durationMs: number }

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly observers: Array<(stats: BatchStats) => void> = [];

  constructor(private readonly handle: Pick<DbHandle, 'db'>, private readonly maxBatch = MAX_BATCH) {}

  /** Runs `work` in the next batch; resolves with its result once the batch has committed. */
  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Called after every batch (metrics). */
  observe(observer: (stats: BatchStats) => void): void { this.observers.push(observer); }

  /** Units of work waiting for the next batch. */
  get queued(): number { return this.queue.length; }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      await this.commit(batch);
    } finally {
      this.scheduled = false;
      // Let the event loop read new requests before the next batch: they join it.
      if (this.queue.length) this.schedule();
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      await this.handle.db.transaction().execute(async (trx) => {
        for (const item of batch) item.outcome = await runInSavepoint(trx, item.work);
      });
    } catch (error) {
      // The commit itself failed (or the transaction broke): nothing of the batch is durable.
      for (const item of batch) item.outcome = { ok: false, error };
    }
    let failed = 0;
    for (const item of batch) {
      const outcome = item.outcome!;
      if (outcome.ok) item.resolve(outcome.value);
      else { failed++; item.reject(outcome.error); }
    }
    const stats = { size: batch.length, failed, durationMs: performance.now() - started };
    for (const observer of this.observers) observer(stats);
  }
}

/**
 * One unit of work in its own savepoint. A unique violation means an earlier item of the batch
 * (or another writer) created the same key first: run it once more, and the verb finds and replays
 * it — the same retry runNetworkVerb does with a transaction per request. If the savepoint cannot
 * be rolled back, the transaction is broken: that error ends the batch.
 */
async function runInSavepoint(trx: Trx, work: (trx: Trx) => Promise<unknown>): Promise<Pending['outcome']> {
  for (let attempt = 1; ; attempt++) {
    await trx.executeQuery(SAVEPOINT);
    try {
      const value = await work(trx);
      await trx.executeQuery(RELEASE);
      return { ok: true, value };
    } catch (error) {
      await trx.executeQuery(ROLLBACK_TO);
      await trx.executeQuery(RELEASE);
      if (attempt >= 2 || !isUniqueViolation(error)) return { ok: false, error };
    }
  }
}

const instances = new WeakMap<object, GroupCommit>();

/** The group commit queue of a database handle (one per handle). */
export function groupCommitFor(handle: DbHandle): GroupCommit {
  let gc = instances.get(handle);
  if (!gc) instances.set(handle, (gc = new GroupCommit(handle)));
  return gc;
}
