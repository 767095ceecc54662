// Group commit (PostgreSQL): network requests that arrive together share one transaction and one
// commit, as on SQLite (group-commit.ts). With a transaction per request, every authorization paid
// a BEGIN and a COMMIT round trip and a WAL flush of its own, and PostgreSQL's own commit grouping
// (commit_delay) only merges flushes that happen to coincide; here a batch of N pays one of each.
//
// Lanes. Batches run on several pooled connections at once (one batch per connection at a time),
// so that the server executes one batch while this process prepares the next and while another
// waits for its flush. A lane holds its connection while it has work: what queued while a batch
// ran is its next batch, whose BEGIN and read ahead go with the running batch's COMMIT, and the
// writes of a batch's units wait for that COMMIT too (pg-direct.ts; docs/decisions/0077): a batch
// is one round trip once a lane is busy. A request goes to a lane chosen by its key (the PAN for an authorization):
// one card's requests always share a lane, so two batches of this process never wait on each
// other for that card's rows. Requests without a key go to the least busy lane.
//
// Failures. On PostgreSQL an error aborts the whole transaction. A savepoint per unit would isolate
// it, at two round trips a unit (SAVEPOINT, RELEASE: pg's extended protocol sends one statement
// per round trip) and a subtransaction each. So, as on SQLite, a batch first runs without
// savepoints; should a unit throw, the transaction is rolled back and the batch runs again with a
// savepoint per unit, so the failing unit is rolled back alone and its neighbours still commit. A
// unique violation in its savepoint means a twin (same idempotency key) committed first, here or
// elsewhere: the unit runs once more and replays it, as runNetworkVerb does per request. A batch
// holds at most MAX_BATCH units, under the 64 subtransactions a backend caches: the rare run with
// savepoints never overflows that cache, which would slow every other session's snapshots.
//
// Deadlocks. Units lock rows as they go (account and card, then an advisory lock per audit chain),
// so two batches (two lanes with cards of one account, or two instances) can lock two accounts in
// opposite orders. PostgreSQL then ends one transaction with 40P01 (after deadlock_timeout, 1 s by
// default): that whole batch runs again, it is never answered as an error. A batch that fails so
// BATCH_ATTEMPTS times runs each unit in its own transaction, as without group commit, where an
// authorization locks one account and cannot deadlock with another.
//
// Reading ahead. A batch's authorizations can be read in one statement before its units run
// (`readAhead`, given by the service: store/authorization-reads.repository.ts), one round trip for
// the batch instead of one per unit; each unit then only writes (deferred: see Lanes). What a unit of another kind may
// have changed is not read ahead: the group commit says when one runs (`spoil`). The run with
// savepoints reads nothing ahead. A read ahead that fails as no unit's fault (a deadlock, the
// database gone) ends the batch's run as such a failure would; any other failure runs the batch
// again with savepoints, unit by unit.
//
// The database gone (a connection lost, no connection to be had, a statement timed out) fails every
// unit of the batch with that same error, which the callers answer 91 / 503 as they would for one
// request (store/db-unavailable.ts), and so are the units queued behind it on its lane. Every caller is answered only after COMMIT has returned, so
// with synchronous_commit on, after the commit is durable.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { DbHandle, Trx } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { isDatabaseUnavailable } from '../store/db-unavailable.js';
import { inTransaction, isUniqueViolation, retryDelayMs } from '../store/transaction.js';
import { deferWrites, indexScansOnly } from './prepared.js';
import { runInSavepoint, type UnitOutcome } from './savepoint.js';

/** Largest batch: under PostgreSQL's 64 cached subtransactions (see above), and how long rows stay locked. */
export const MAX_BATCH = 50;
/**
 * Most lanes. A lane's batch is one round trip once under way (its deferred writes and COMMIT with
 * the next batch's BEGIN and read ahead), so lanes no longer hide round trips; more of them make
 * smaller batches, each with a commit and a WAL flush of its own, on a host whose two cores the
 * service and PostgreSQL share (docs/performance.md, "PostgreSQL": 2 lanes against 4, alternating
 * slices; scripts/bench/pg-lanes.ts in process).
 */
export const MAX_LANES = 2;
/** Runs of a batch ended by a deadlock or a serialization failure before its units run alone. */
export const BATCH_ATTEMPTS = 2;

type Outcome = UnitOutcome;

interface Pending {
  work: (trx: Trx) => Promise<unknown>;
  /** What the unit will read, for the batch's read ahead (ReadAhead). */
  hint?: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: Outcome;
}

interface Lane {
  index: number; queue: Pending[]; running: number; scheduled: boolean;
  /** The lane's next batch, taken from the queue when its read ahead went with the running batch's COMMIT. */
  next: Pending[] | undefined;
}

export interface PgBatchStats {
  lane: number;
  size: number;
  failed: number;
  durationMs: number;
  /** A unit failed in the first run: the batch was rolled back and ran again with savepoints. */
  rerun: boolean;
  /** Times the whole batch ran again after a deadlock or a serialization failure. */
  retries: number;
  /** The batch failed BATCH_ATTEMPTS times so: each unit ran in its own transaction. */
  alone: boolean;
}

/** Reads ahead, in a batch's transaction, what the units with hints will read (see the top of this file). */
export interface ReadAhead {
  read(trx: Trx, hints: unknown[]): Promise<void>;
  /** A unit without a hint is about to run: what was read ahead may no longer hold. */
  spoil(trx: Trx): void;
  /** The next transaction on this one's connection begins by reading ahead for `hints`, sent with this one's COMMIT. */
  readNext?(trx: Trx, hints: unknown[]): Promise<void>;
}

export interface PgGroupCommitOptions {
  lanes?: number;
  maxBatch?: number;
  readAhead?: ReadAhead;
}

/** A unit's error in the run without savepoints: ends that run. */
class UnitFailed extends Error {}
/** The transaction cannot go on whoever caused it (deadlock victim, database gone): ends the batch's run. */
class BatchFailed extends Error {}

/** PostgreSQL asks for the transaction to be run again: serialization failure, deadlock. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40001' || code === '40P01';
}

export class PgGroupCommit {
  private readonly lanes: Lane[];
  private readonly maxBatch: number;
  private readonly readAhead: ReadAhead | undefined;
  private readonly observers: Array<(stats: PgBatchStats) => void> = [];

  constructor(private readonly handle: Pick<DbHandle, 'db'>, options: PgGroupCommitOptions = {}) {
    const lanes = Math.max(1, options.lanes ?? MAX_LANES);
    this.lanes = Array.from({ length: lanes }, (_, index) => ({ index, queue: [], running: 0, scheduled: false, next: undefined }));
    this.maxBatch = Math.max(1, options.maxBatch ?? MAX_BATCH);
    this.readAhead = options.readAhead;
  }

  /**
   * Runs `work` in the next batch of its lane (`key`'s, else the least busy); resolves with its
   * result once the batch has committed. `work` may run more than once (see the top of this file):
   * it must change nothing but through `trx`. `hint` says what it will read, for the read ahead.
   */
  run<T>(work: (trx: Trx) => Promise<T>, key?: string, hint?: unknown): Promise<T> {
    const lane = key === undefined ? this.leastBusy() : this.lanes[this.laneOf(key)];
    return new Promise<T>((resolve, reject) => {
      lane.queue.push({ work, hint, resolve: resolve as (v: unknown) => void, reject });
      this.schedule(lane);
    });
  }

  /** Called after every batch (metrics, tests). */
  observe(observer: (stats: PgBatchStats) => void): void { this.observers.push(observer); }

  /** Units of work waiting for a batch, all lanes. */
  get queued(): number { return this.lanes.reduce((n, lane) => n + lane.queue.length, 0); }

  /** The lane of the requests that share `key`. */
  laneOf(key: string): number { return laneHash(key) % this.lanes.length; }

  private leastBusy(): Lane {
    let best = this.lanes[0];
    for (const lane of this.lanes) {
      if (lane.queue.length + lane.running < best.queue.length + best.running) best = lane;
    }
    return best;
  }

  private schedule(lane: Lane): void {
    if (lane.scheduled || lane.running) return;
    lane.scheduled = true;
    // Every request read from the sockets in this turn of the event loop joins the batch.
    setImmediate(() => void this.flush(lane));
  }

  /**
   * Runs the lane's batches one after another on one connection, held while the lane has work, so
   * that each batch's COMMIT can carry the next one's BEGIN and read ahead (runOnce).
   */
  private async flush(lane: Lane): Promise<void> {
    lane.scheduled = false;
    let batch = lane.queue.splice(0, this.maxBatch);
    lane.running = batch.length;
    try {
      await this.handle.db.connection().execute(async (db) => {
        while (batch.length) {
          const current = batch;
          batch = [];
          const healthy = await this.runBatchOf(lane, current, db);
          batch = lane.next ?? (healthy ? lane.queue.splice(0, this.maxBatch) : []);
          lane.next = undefined;
          lane.running = batch.length;
        }
      });
    } catch (error) {
      // No connection to be had (or it failed between batches): what was not run fails as one
      // request alone would (91 / 503), and what queued behind it with it.
      const unrun = [...batch, ...(lane.next ?? [])];
      lane.next = undefined;
      for (const item of unrun) item.outcome = { ok: false, error };
      if (unrun.length) this.settle(lane, unrun, performance.now(), { rerun: false, retries: 0, alone: false });
    } finally {
      lane.running = 0;
      // Requests that arrived meanwhile form the lane's next batch.
      if (lane.queue.length) this.schedule(lane);
    }
  }

  /** One batch on the lane's connection; answers its callers. False if the database is gone. */
  private async runBatchOf(lane: Lane, batch: Pending[], db: Kysely<Database>): Promise<boolean> {
    const started = performance.now();
    let report = { rerun: false, retries: 0, alone: false };
    try {
      report = await this.commit(batch, db, lane);
    } catch (error) {
      for (const item of batch) item.outcome = { ok: false, error };
    }
    return this.settle(lane, batch, started, report);
  }

  /** Answers a batch's callers and its observers. False if the database is gone. */
  private settle(lane: Lane, batch: Pending[], started: number, report: Omit<PgBatchStats, 'lane' | 'size' | 'failed' | 'durationMs'>): boolean {
    // The database gone: what queued behind this batch is answered the same, at once (91 / 503),
    // not after a connection attempt of its own: no request waits out two attempts in a row, so
    // every answer during an outage comes within one connect timeout of the batch's start.
    // Nothing of theirs was tried, so nothing is in doubt.
    const gone = batch.length > 0 && batch.every((item) => item.outcome && !item.outcome.ok && isDatabaseUnavailable(item.outcome.error));
    if (gone) {
      const error = (batch[0].outcome as { error: unknown }).error;
      for (const item of [...(lane.next ?? []), ...lane.queue.splice(0)]) item.reject(error);
      lane.next = undefined;
    }
    let failed = 0;
    for (const item of batch) {
      const outcome = item.outcome ?? { ok: false, error: new Error('the batch ended without an outcome for this unit') };
      if (outcome.ok) item.resolve(outcome.value);
      else { failed++; item.reject(outcome.error); }
    }
    const stats: PgBatchStats = { lane: lane.index, size: batch.length, failed, durationMs: performance.now() - started, ...report };
    for (const observer of this.observers) observer(stats);
    return !gone;
  }

  /** Sets every unit's outcome: committed together, alone after repeated deadlocks, or failed whole. */
  private async commit(batch: Pending[], db: Kysely<Database>, lane: Lane): Promise<Omit<PgBatchStats, 'lane' | 'size' | 'failed' | 'durationMs'>> {
    let rerun = false;
    for (let attempt = 1; ; attempt++) {
      try {
        rerun = (await this.runBatch(batch, db, lane)) || rerun;
        return { rerun, retries: attempt - 1, alone: false };
      } catch (thrown) {
        const error = thrown instanceof BatchFailed ? thrown.cause : thrown;
        if (!isRetryable(error)) {
          for (const item of batch) item.outcome = { ok: false, error };
          return { rerun, retries: attempt - 1, alone: false };
        }
        if (attempt >= BATCH_ATTEMPTS) {
          await Promise.all(batch.map(async (item) => { item.outcome = await settle(() => runAlone(this.handle, item.work)); }));
          return { rerun, retries: attempt - 1, alone: true };
        }
        await sleep(retryDelayMs(attempt));
      }
    }
  }

  /** One transaction for the batch: without savepoints, then with them if a unit failed. True if rerun. */
  private async runBatch(batch: Pending[], db: Kysely<Database>, lane: Lane): Promise<boolean> {
    try {
      await this.runOnce(batch, false, db, lane);
      return false;
    } catch (error) {
      if (!(error instanceof UnitFailed)) throw error;
      if (isRetryable(error.cause) || isDatabaseUnavailable(error.cause)) throw new BatchFailed('the batch cannot go on', { cause: error.cause });
      // Rolled back whole: nothing of the first run remains.
      await this.runOnce(batch, true, db, lane);
      return true;
    }
  }

  private async runOnce(batch: Pending[], withSavepoints: boolean, db: Kysely<Database>, lane: Lane): Promise<void> {
    let committing = false;
    try {
      await db.transaction().execute(async (trx) => {
        await indexScansOnly(trx);
        if (withSavepoints) {
          for (const item of batch) item.outcome = await runInSavepoint(trx, item.work, endBatchOnSharedFailure);
          return;
        }
        await deferWrites(trx);
        await this.runUnits(trx, batch);
        await this.readNext(trx, lane);
        committing = true;
      });
    } catch (error) {
      // A deferred write travels with COMMIT: its failure is some unit's, which the run with savepoints finds.
      if (committing && !withSavepoints) throw new UnitFailed('the batch\'s writes or its commit failed', { cause: error });
      throw error;
    }
  }

  /**
   * Requests queued on the lane meanwhile are its next batch: their read ahead goes with this
   * batch's COMMIT, and their transaction begins with it (pg-direct.ts, commitAndBegin). Should
   * the COMMIT fail, that batch runs next all the same, and begins on its own.
   */
  private async readNext(trx: Trx, lane: Lane): Promise<void> {
    if (!this.readAhead?.readNext || lane.next || !lane.queue.length) return;
    const next = lane.queue.splice(0, this.maxBatch);
    lane.next = next;
    const hints = hintsOf(next);
    if (hints.length > 1) await this.readAhead.readNext(trx, hints);
  }

  /** The run without savepoints: reads ahead, then each unit in turn, its writes deferred (pg-direct.ts). */
  private async runUnits(trx: Trx, batch: Pending[]): Promise<void> {
    const readAhead = this.readAhead;
    const hints = readAhead ? hintsOf(batch) : [];
    // One unit reads as cheaply on its own.
    if (readAhead && hints.length > 1) {
      try {
        await readAhead.read(trx, hints);
      } catch (error) {
        throw new UnitFailed('the batch could not be read ahead', { cause: error });
      }
    }
    for (const item of batch) {
      if (item.hint === undefined) readAhead?.spoil(trx);
      item.outcome = await runUnit(trx, item);
    }
  }
}

function hintsOf(batch: Pending[]): unknown[] {
  return batch.filter((item) => item.hint !== undefined).map((item) => item.hint);
}

/** A unit of the run without savepoints: its error (kept as its outcome) ends the run. */
async function runUnit(trx: Trx, item: Pending): Promise<Outcome> {
  try {
    return { ok: true, value: await item.work(trx) };
  } catch (error) {
    item.outcome = { ok: false, error };
    throw new UnitFailed('a unit of the batch failed', { cause: error });
  }
}

/** A deadlock, a serialization failure or the database gone is no fault of the unit's: the batch's run ends (and runs again, or fails whole). */
function endBatchOnSharedFailure(error: unknown): void {
  if (isRetryable(error) || isDatabaseUnavailable(error)) throw new BatchFailed('the batch cannot go on', { cause: error });
}


async function settle(run: () => Promise<unknown>): Promise<Outcome> {
  try { return { ok: true, value: await run() }; } catch (error) { return { ok: false, error }; }
}

/**
 * One unit in a transaction of its own (deadlocks retried by inTransaction). A unique violation
 * means a concurrent twin committed first: run again, and the verb finds and replays it.
 */
export async function runAlone<T>(handle: Pick<DbHandle, 'db'>, work: (trx: Trx) => Promise<T>): Promise<T> {
  const indexed = async (trx: Trx) => { await indexScansOnly(trx); return work(trx); };
  try {
    return await inTransaction(handle, indexed);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return inTransaction(handle, indexed);
  }
}

/** FNV-1a over the key's code units: the same key, the same lane. */
function laneHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const instances = new WeakMap<object, PgGroupCommit | null>();

/** Lanes for a pool of `poolSize`: all but two connections, which the rest of the service keeps finding. */
export function lanesFor(poolSize: number): number {
  return Math.max(1, Math.min(MAX_LANES, poolSize - 2));
}

/** Turns group commit on or off for a PostgreSQL handle (PG_GROUP_COMMIT), before its first request. */
export function configurePgGroupCommit(handle: DbHandle, enabled: boolean, options: PgGroupCommitOptions = {}): void {
  instances.set(handle, enabled ? new PgGroupCommit(handle, { lanes: lanesFor(handle.pool?.options.max ?? 10), ...options }) : null);
}

/** The group commit of a PostgreSQL handle (one per handle; on unless turned off), or null when off. */
export function pgGroupCommitFor(handle: DbHandle): PgGroupCommit | null {
  let gc = instances.get(handle);
  if (gc === undefined) instances.set(handle, (gc = new PgGroupCommit(handle, { lanes: lanesFor(handle.pool?.options.max ?? 10) })));
  return gc;
}
