// Prometheus metrics (/metrics): authorizations by response code and reason, latency, over-limit
// grants, database pool use, and Node's default metrics (event-loop lag among them).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { groupCommitFor, type BatchStats } from '../../runtime/group-commit.js';
import { pgGroupCommitFor } from '../../runtime/pg-group-commit.js';
import type { Checkpointer } from '../../runtime/checkpointer.js';
import type { DbHandle } from '../../store/db.js';

export class Metrics {
  readonly registry = new Registry();
  private readonly authorizations = new Counter({
    name: 'card_authorizations_total', help: 'Authorization decisions', labelNames: ['response_code', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly overLimitGrants = new Counter({
    name: 'card_over_limit_grants_total', help: 'Authorizations approved with the over-limit allowance', registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(handle?: DbHandle) {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    if (handle) this.observeGroupCommit(handle);
    const walSync = handle?.walSync;
    if (walSync) {
      new Gauge({ name: 'db_wal_fsyncs', help: 'WAL fsyncs run for group commits since start (SQLite at FULL)', registers: [this.registry], collect() { this.set(walSync.completed); } });
    }
    if (handle?.checkpointer) this.observeWalRestarts(handle.checkpointer);
    if (handle?.pool) {
      const pool = handle.pool;
      new Gauge({ name: 'db_pool_connections_total', help: 'Pool connections', registers: [this.registry], collect() { this.set(pool.totalCount); } });
      new Gauge({ name: 'db_pool_connections_idle', help: 'Idle pool connections', registers: [this.registry], collect() { this.set(pool.idleCount); } });
      new Gauge({ name: 'db_pool_waiting', help: 'Clients waiting for a connection', registers: [this.registry], collect() { this.set(pool.waitingCount); } });
    }
  }

  /**
   * Group commit: how many requests share a commit, and how long a commit holds them. On
   * PostgreSQL the same for each lane's batches (PG_GROUP_COMMIT=0: none), and the batches run again.
   */
  private observeGroupCommit(handle: DbHandle): void {
    const pg = handle.dialect === 'postgres' ? pgGroupCommitFor(handle) : undefined;
    if (pg === null) return;
    const size = new Histogram({
      name: 'db_group_commit_batch_size', help: 'Network requests committed together',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [this.registry],
    });
    const duration = new Histogram({
      name: 'db_group_commit_duration_seconds', help: 'Time to run and commit one batch',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers: [this.registry],
    });
    const failed = new Counter({ name: 'db_group_commit_failed_total', help: 'Units of work that failed: rolled back to their savepoint, or with their whole batch', registers: [this.registry] });
    const reruns = new Counter({ name: 'db_group_commit_reruns_total', help: 'Batches rolled back whole and run again with a savepoint per unit, because a unit failed', registers: [this.registry] });
    const gc = pg ?? groupCommitFor(handle);
    new Gauge({ name: 'db_group_commit_queued', help: 'Requests waiting for the next batch', registers: [this.registry], collect() { this.set(gc.queued); } });
    this.batchObserver = (s) => { size.observe(s.size); duration.observe(s.durationMs / 1000); if (s.failed) failed.inc(s.failed); if (s.rerun) reruns.inc(); };
    if (!pg) { groupCommitFor(handle).observe(this.batchObserver); return; }
    const retries = new Counter({ name: 'db_group_commit_retries_total', help: 'Batches run again whole after a deadlock or a serialization failure (PostgreSQL)', registers: [this.registry] });
    const alone = new Counter({ name: 'db_group_commit_alone_total', help: 'Batches whose units ran each in its own transaction after repeated deadlocks (PostgreSQL)', registers: [this.registry] });
    pg.observe((s) => { this.batchObserver!(s); if (s.retries) retries.inc(s.retries); if (s.alone) alone.inc(); });
  }

  /** How often, and for how long, the group commit is held so that the WAL restarts (runtime/checkpointer.ts). */
  private observeWalRestarts(checkpointer: Checkpointer): void {
    const held = new Histogram({
      name: 'db_wal_restart_hold_seconds', help: 'Time the group commit was held between two batches while the last WAL frames were copied back',
      labelNames: ['outcome'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers: [this.registry],
    });
    checkpointer.observeRestarts((h) => held.observe({ outcome: h.complete ? 'restarted' : 'not_copied_back' }, h.heldMs / 1000));
  }

  private batchObserver: ((stats: BatchStats) => void) | undefined;

  /** A batch committed on another connection (the authorization worker's). */
  recordBatch(stats: BatchStats): void { this.batchObserver?.(stats); }

  /**
   * With the authorization worker, requests wait in the worker, not in this connection's group
   * commit queue (db_group_commit_queued then reads 0): this gauge shows them.
   */
  watchAuthorizationWorker(inFlight: () => number): void {
    new Gauge({ name: 'authorization_worker_in_flight', help: 'Authorizations handed to the worker thread and not yet answered', registers: [this.registry], collect() { this.set(inFlight()); } });
  }

  private prewarmGauges: { done: Gauge; bytes: Gauge } | undefined;

  /** The read of the SQLite file into the page cache after start (src/runtime/prewarm.ts). */
  prewarmStarted(): { ended(bytes: number): void } {
    // Made once: a registry refuses a second metric of the same name.
    this.prewarmGauges ??= {
      done: new Gauge({ name: 'db_prewarm_done', help: 'The read of the database file into the page cache after start has ended (1) or runs (0)', registers: [this.registry] }),
      bytes: new Gauge({ name: 'db_prewarm_bytes', help: 'Bytes of the database file read into the page cache after start', registers: [this.registry] }),
    };
    const { done, bytes } = this.prewarmGauges;
    done.set(0);
    bytes.set(0);
    return { ended: (read) => { bytes.set(read); done.set(1); } };
  }

  recordAuthorization(r: { responseCode: string; reason: string; overLimit: boolean }): void {
    this.authorizations.inc({ response_code: r.responseCode, reason: r.reason });
    if (r.overLimit) this.overLimitGrants.inc();
  }
}
