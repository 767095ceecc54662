// WAL checkpoints on a worker thread (file-backed SQLite). SQLite checkpoints automatically inside
// the COMMIT that pushes the WAL past 1000 pages: with better-sqlite3 that copy and its fsyncs run
// on the main thread and stall every request in flight. Here a worker with its own connection runs
// PASSIVE checkpoints (they never block the writer) forty times a second, and the main
// connection's automatic checkpoint is pushed far out, as a backstop should the worker stop.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The main connection checkpoints by itself only past this many WAL pages (~64 MiB). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_000;
// Small and often: each checkpoint writes back the pages dirtied since the last one, and at a million
// cards those are random pages all over the file; their fsync shares the disk with the WAL fsync
// every answer waits for. Every 25 ms the write-backs stay short: 1M-card p99 38-43 ms against
// 166-172 ms at 250 ms, 10,000 cards 33-38 against 49-52 (docs/performance.md).
const INTERVAL_MS = 25;

/**
 * How far the checkpoint thread's nice value is raised above the process's (Linux), i.e. how much
 * lower its priority is than the event loop's. Checkpoints can wait a few milliseconds; the event
 * loop answering the network cannot. The thread takes ~10-14 % of a core under load, and on two
 * cores shared with the load's own sender the scheduler sometimes ran it in the event loop's place.
 * Ten steps lower it still gets ~10 % of a contended core, so it is never starved (and the main
 * connection's backstop above remains). Measured: +2.2 % and +4.1 % auth/s in two interleaved
 * A/B runs (scripts/bench/ab-http.ts), p99 no worse, 1M cards too (docs/performance.md,
 * 2026-12-03 night). SQLITE_CHECKPOINT_NICE overrides it.
 */
export const CHECKPOINTER_NICE = 10;

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there (tests, tsx, node).
// /proc/thread-self names this thread's id, and setpriority on a thread id (Linux) changes this
// thread alone. Only ever raised from the thread's current value (which needs no privilege, and
// never puts the thread ahead of the event loop, root or not); off Linux the read fails and the
// thread keeps the process's priority.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
if (workerData.nice > 0) {
  try {
    const os = require('node:os');
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + workerData.nice));
  } catch {}
}
const Database = require(workerData.driver);
let db;
let timer;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  db.pragma('synchronous = ' + workerData.synchronous);
  timer = setInterval(() => {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error && error.message)); }
  }, workerData.intervalMs);
} catch (error) {
  // Posted, not thrown: SQLite's errors reach the parent's 'error' event as { code } alone.
  parentPort.postMessage('cannot open the database: ' + String(error && error.message));
}
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); if (db) db.close(); parentPort.close(); } });
`;

/**
 * Passes on the first failure at once and then at most one a minute, with how many it stood for:
 * a checkpoint failing forty times a second must not flood the log.
 */
export class ErrorThrottle {
  private lastReportMs = -Infinity;
  private suppressed = 0;

  constructor(private readonly report: (message: string, failures: number) => void, private readonly now: () => number = Date.now, private readonly everyMs = 60_000) {}

  failed(message: string): void {
    const now = this.now();
    if (now - this.lastReportMs < this.everyMs) { this.suppressed++; return; }
    this.report(message, this.suppressed + 1);
    this.suppressed = 0;
    this.lastReportMs = now;
  }
}

export class Checkpointer {
  private readonly worker: Worker;

  /** `onError`: a failed checkpoint (throttled, see ErrorThrottle), or the worker's own failure. */
  constructor(file: string, synchronous: 'FULL' | 'NORMAL', o: { nice?: number; onError?: (message: string, failures: number) => void } = {}) {
    const errors = new ErrorThrottle(o.onError ?? (() => {}));
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, synchronous, driver, intervalMs: INTERVAL_MS, nice: o.nice ?? CHECKPOINTER_NICE } });
    this.worker.on('message', (m) => errors.failed(String(m)));
    this.worker.on('error', (e) => errors.failed(e?.message ?? String(e)));
    this.worker.unref();
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Keep the process alive until the worker has closed its connection.
    this.worker.ref();
    this.worker.postMessage('stop');
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
    await this.worker.terminate();
  }
}
