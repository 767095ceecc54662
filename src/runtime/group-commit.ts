// Group commit (SQLite): network requests that arrive together share one transaction and one
// fsync. One failing unit of work never sinks its neighbours: a batch runs first without savepoints,
// and should any unit throw, the whole transaction is rolled back and the batch runs again with each
// unit in its own savepoint, so the failing one is rolled back alone and its neighbours still
// commit. Units almost never fail (a decline is an answer, not an error), and a savepoint per unit
// cost ~10 % of an authorization (every unit copies the pages it touches into the statement
// journal), so the savepoints are paid only by the rare batch that needs them. Every caller is
// answered only after the commit is durable (at FULL: after the WAL fsync, see runtime/wal-sync.ts),
// so an answer never announces what a power cut could undo. What this asks of the work it runs is
// stated once, as SharedCommitWork (runtime/index.ts).
//
// Batches form by themselves: the first request to arrive schedules a run with setImmediate, so
// every request read from the sockets in that turn of the event loop joins it; requests arriving
// while a batch runs form the next one. better-sqlite3 is synchronous, so a batch's queries hold
// the event loop; its fsync does not (it runs on the thread pool while the next batch executes).
// Once the WAL is large, the checkpointer holds the next batch (~10 ms, at most ~100) so that the
// WAL can start over (runtime/checkpointer.ts); requests are still read and checked meanwhile.
import { auditHeadsOf, type BatchHeads } from './audit-heads.js';
import type { DbHandle, Trx } from '../store/db.js';
import type { SharedCommitWork } from './index.js';
import { runInSavepoint } from './savepoint.js';

/** Largest batch: bounds how long one commit holds the event loop. */
export const MAX_BATCH = 256;


interface Pending {
  work: SharedCommitWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export interface BatchStats {
  size: number;
  failed: number;
  durationMs: number;
  /** A unit failed in the first run: the batch was rolled back and ran again with savepoints. */
  rerun: boolean;
}

/** A unit's error in the run without savepoints: ends that run (the batch runs again, see above). */
class UnitFailed extends Error {}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Held between two batches (the WAL restarting, see runtime/checkpointer.ts): no batch begins. */
  private held = false;
  /** The batch whose transaction is running, if any. */
  private committing: Promise<unknown> | null = null;
  private readonly observers: Array<(stats: BatchStats) => void> = [];

  /** SQLite's data_version on this connection: moves when another connection commits (audit-heads.ts). */
  private readonly dataVersion: { get(): unknown } | undefined;

  constructor(private readonly handle: Pick<DbHandle, 'db' | 'walSync' | 'sqlite' | 'checkpointer'>, private readonly maxBatch = MAX_BATCH) {
    this.dataVersion = handle.sqlite?.prepare('PRAGMA data_version').pluck();
    handle.checkpointer?.holdWriterWith(() => this.hold());
  }

  /**
   * Holds the next batch (requests keep queueing) until the returned function is called; resolves
   * once no batch's transaction is running.
   */
  async hold(): Promise<() => void> {
    this.held = true;
    while (this.committing) await this.committing;
    return () => {
      this.held = false;
      if (this.queue.length) this.schedule();
    };
  }

  /** Runs `work` in the next batch; resolves with its result once the batch is committed and durable. */
  run<T>(work: SharedCommitWork<T>): Promise<T> {
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
    if (this.scheduled || this.held) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    if (this.held) { this.scheduled = false; return; }
    const batch = this.queue.splice(0, this.maxBatch);
    const started = performance.now();
    let committed = false;
    let rerun = false;
    try {
      const committing = this.commit(batch);
      this.committing = committing;
      ({ committed, rerun } = await committing);
    } finally {
      this.committing = null;
      // The database is free again: requests read meanwhile form the next batch, which runs while
      // this one's fsync (if any) is still under way.
      this.scheduled = false;
      if (this.queue.length) this.schedule();
    }
    if (committed && this.handle.walSync) {
      try {
        await this.handle.walSync.sync();
      } catch (error) {
        // Committed but not known to be on disk: nobody may be told it was approved.
        for (const item of batch) item.outcome = { ok: false, error };
      }
    }
    let failed = 0;
    for (const item of batch) {
      const outcome = item.outcome!;
      if (outcome.ok) item.resolve(outcome.value);
      else { failed++; item.reject(outcome.error); }
    }
    const stats = { size: batch.length, failed, durationMs: performance.now() - started, rerun };
    for (const observer of this.observers) observer(stats);
  }

  /**
   * Runs the batch in one transaction, first without savepoints and, if a unit failed, again with
   * one per unit. `committed` is false when the transaction itself failed (nothing kept).
   */
  private async commit(batch: Pending[]): Promise<{ committed: boolean; rerun: boolean }> {
    const heads = auditHeadsOf(this.handle.db);
    let written: BatchHeads | undefined;
    let rerun = false;
    const runOnce = (db: Pick<DbHandle['db'], 'transaction'>, withSavepoints: boolean) => db.transaction().execute(async (trx) => {
      // Only once the transaction holds the connection: before that, another transaction may still
      // be appending (and may roll back), and its heads must not be remembered.
      written = heads.beginBatch();
      // Safe to run on the connection directly: the transaction holds it (see runtime/prepared.ts).
      if (this.dataVersion) heads.seenDataVersion(this.dataVersion.get() as number);
      try {
        if (withSavepoints) {
          // Audit heads written in a failed unit's savepoint are undone with it: forget the batch's.
          for (const item of batch) item.outcome = await runInSavepoint(trx, item.work, () => heads.forgetBatch());
        } else {
          for (const item of batch) item.outcome = await runUnit(trx, item);
        }
      } finally {
        heads.endBatch();
      }
    });
    const runAll = async (db: Pick<DbHandle['db'], 'transaction'>) => {
      try {
        await runOnce(db, false);
      } catch (error) {
        if (!(error instanceof UnitFailed)) {
          // The rollback after a unit's failure failed too (the transaction was already gone): the
          // batch fails whole, and its callers learn both errors.
          const failedUnit = batch.find((item) => item.outcome?.ok === false)?.outcome;
          if (failedUnit?.ok === false) throw new AggregateError([error, failedUnit.error], 'a unit failed and its batch could not be rolled back');
          throw error;
        }
        // Rolled back whole: what its units wrote, and the audit heads they wrote, are gone.
        rerun = true;
        await runOnce(db, true);
      }
    };
    try {
      const walSync = this.handle.walSync;
      if (walSync) {
        // Hold the connection, so that only this transaction commits under the relaxed setting.
        await this.handle.db.connection().execute((conn) => walSync.relaxed(() => runAll(conn)));
      } else {
        await runAll(this.handle.db);
      }
      // Committed: the audit heads the batch wrote name rows that exist.
      if (written) heads.publish(written);
      return { committed: true, rerun };
    } catch (error) {
      // Not committed: the batch's heads are never published.
      for (const item of batch) item.outcome = { ok: false, error };
      return { committed: false, rerun };
    }
  }
}

/** A unit of the run without savepoints: its error (kept as its outcome) ends the run. */
async function runUnit(trx: Trx, item: Pending): Promise<Pending['outcome']> {
  try {
    return { ok: true, value: await item.work(trx) };
  } catch (error) {
    item.outcome = { ok: false, error };
    throw new UnitFailed('a unit of the batch failed', { cause: error });
  }
}


const instances = new WeakMap<object, GroupCommit>();

/** The group commit queue of a database handle (one per handle). */
export function groupCommitFor(handle: DbHandle): GroupCommit {
  let gc = instances.get(handle);
  if (!gc) instances.set(handle, (gc = new GroupCommit(handle)));
  return gc;
}
