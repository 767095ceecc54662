// WAL checkpoints on worker threads (file-backed SQLite). SQLite checkpoints automatically inside
// the COMMIT that pushes the WAL past 1000 pages: with better-sqlite3 that copy and its fsyncs run
// on the main thread and stall every request in flight. Here a worker with its own connection runs
// PASSIVE checkpoints (they never block the writer) forty times a second, and the main
// connection's automatic checkpoint is pushed far out, as a backstop should the worker stop.
// Copying the WAL back is not enough under steady load: SQLite starts the WAL over only when a
// writer begins with every frame copied back, and the group commit never leaves it that moment.
// So once the WAL is large, a second worker copies the last frames back while the group commit is
// held between two batches (restartWal), and the next batch starts the WAL over. Both threads run
// checkpointer-thread.ts.
import type { Worker } from 'node:worker_threads';
import type { CheckpointerThreadData, FromCheckpointer, ToCheckpointer } from './checkpointer-thread.js';
import { entryBeside, newWorker } from './new-worker.js';

/**
 * The main connection checkpoints by itself only past this many WAL pages (~64 MiB), or this many
 * beyond RESTART_AT_FRAMES where the WAL is restarted (store/db.ts): a backstop.
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_000;
/**
 * A WAL size (pages, ~96 MiB) at which the group commit is held for a moment so that the WAL restarts
 * (restartWal below); SQLITE_WAL_RESTART_PAGES overrides it. Rarer holds are better: each one waits
 * for two fsyncs (~5-15 ms under load); why 24,000: docs/decisions/0044-group-commit.md.
 */
export const RESTART_AT_FRAMES = 24_000;

/**
 * The WAL file size to cut back to once the WAL starts over (`journal_size_limit`), for a WAL that
 * normally grows to `frames` frames: each frame is a page and a 24-byte header, the file has a
 * 32-byte header, and a quarter more keeps a file that ends a little past the usual from being cut
 * at every restart. A report's read transaction (report-thread.ts) keeps the WAL from starting over
 * while it runs (a ledger check at 1M accounts grows it to ~1 GB), and SQLite never shrinks the
 * file by itself (docs/performance.md, "A long report under load").
 */
export function walSizeLimitBytes(frames: number, pageSize: number): number {
  return Math.ceil((32 + frames * (pageSize + 24)) * 1.25);
}
// Small and often: each checkpoint writes back the pages dirtied since the last one, and at a million
// cards those are random pages all over the file; their fsync shares the disk with the WAL fsync
// every answer waits for. Every 25 ms the write-backs stay short, and so does the WAL fsync's tail
// (docs/decisions/0044-group-commit.md).
const INTERVAL_MS = 25;
/** Longest the restart thread tries to copy the last frames back while the writer waits. */
const BACKFILL_WAIT_MS = 50;
/** Frames the restart thread may have left after its pass with the writer running, for a hold to be worth it (~200 ms of full load). */
const MAX_LAG_TO_HOLD = 4_000;
/** After a hold that failed, none for 1 s, then 2, 4, … at most 30 s, until one succeeds. */
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * How far the checkpoint thread's nice value is raised above the process's (Linux), i.e. how much
 * lower its priority is than the event loop's. Checkpoints can wait a few milliseconds; the event
 * loop answering the network cannot. The thread takes ~10-14 % of a core under load, and on two
 * cores shared with the load's own sender the scheduler sometimes ran it in the event loop's place.
 * Ten steps lower it still gets ~10 % of a contended core, so it is never starved (and the main
 * connection's backstop above remains): docs/decisions/0044-group-commit.md.
 * SQLITE_CHECKPOINT_NICE overrides it.
 */
export const CHECKPOINTER_NICE = 10;

/** The checkpoint threads' module: dist/checkpointer-thread.mjs in the bundle, the source under tsx. */
const THREAD_ENTRY = entryBeside('checkpointer-thread', import.meta.url);

/**
 * Passes on the first failure at once and then at most one a minute, with how many it stood for:
 * a checkpoint failing forty times a second must not flood the log. flush() passes on the failures
 * held back since the last report, and every later one at once: at shutdown none goes uncounted,
 * not even one from work still finishing.
 */
export class ErrorThrottle {
  private lastReportMs = -Infinity;
  private suppressed = 0;
  private lastSuppressed = '';
  private flushed = false;

  constructor(private readonly report: (message: string, failures: number) => void, private readonly now: () => number = Date.now, private readonly everyMs = 60_000) {}

  failed(message: string): void {
    const now = this.now();
    if (!this.flushed && now - this.lastReportMs < this.everyMs) { this.suppressed++; this.lastSuppressed = message; return; }
    this.report(message, this.suppressed + 1);
    this.suppressed = 0;
    this.lastReportMs = now;
  }

  flush(): void {
    this.flushed = true;
    if (this.suppressed === 0) return;
    this.report(this.lastSuppressed, this.suppressed);
    this.suppressed = 0;
  }
}

/** One hold of the writer for a WAL restart: how long, and whether every frame was copied back. */
export interface RestartHold { heldMs: number; complete: boolean }

/** Holds the writer at its next batch boundary; resolves with the function that lets it go on. */
export type HoldWriter = () => Promise<() => void>;

export class Checkpointer {
  private readonly worker: Worker;
  /** Copies the last frames back while the writer is held: the process's priority, mostly idle (none when restarts are off). */
  private readonly restarter: Worker | null;
  private holdWriter?: HoldWriter;
  private restarting = false;
  private passes = 0;
  private readonly passed = new Map<number, (result: { complete: boolean; lag: number }) => void>();
  /** No hold is tried before this time (performance.now()), after one that failed: backOff(). */
  private notBefore = 0;
  private backoffMs = 0;
  private stopped = false;
  /** Readers in a long snapshot of their own (the report thread): no restart can complete meanwhile. */
  private pinnedSnapshots = 0;
  private readonly restartObservers: Array<(hold: RestartHold) => void> = [];
  private readonly errors: ErrorThrottle;

  /**
   * `onError`: a failed checkpoint (throttled, see ErrorThrottle), or the worker's own failure.
   * `restartAtFrames`: 0 restarts nothing (as SQLITE_WAL_RESTART_PAGES=0).
   */
  constructor(file: string, synchronous: 'FULL' | 'NORMAL', o: { nice?: number; onError?: (message: string, failures: number) => void; restartAtFrames?: number } = {}) {
    const errors = this.errors = new ErrorThrottle(o.onError ?? (() => {}));
    const restartAtFrames = o.restartAtFrames ?? RESTART_AT_FRAMES;
    const common = { file, synchronous, restartAtFrames, backfillMs: BACKFILL_WAIT_MS };
    const start = (workerData: CheckpointerThreadData) => newWorker(THREAD_ENTRY, { workerData, bundleUnderTsx: true });
    this.worker = start({ ...common, intervalMs: INTERVAL_MS, nice: o.nice ?? CHECKPOINTER_NICE });
    this.restarter = restartAtFrames > 0 ? start({ ...common, intervalMs: 0, nice: 0 }) : null;
    const onMessage = (m: FromCheckpointer) => {
      if ('error' in m) errors.failed(m.error);
      else if ('walFrames' in m) this.restartWal().catch((error) => errors.failed(`WAL restart: ${error?.message ?? error}`));
      else this.passed.get(m.pass)?.({ complete: m.complete, lag: m.lag ?? Infinity });
    };
    for (const worker of this.workers()) {
      worker.on('message', onMessage);
      worker.on('error', (e) => errors.failed(e?.message ?? String(e)));
      worker.unref();
    }
  }

  /**
   * The group commit hands in how to hold it. Without it the WAL still restarts whenever a writer
   * finds it wholly copied back (light load), or at the backstop.
   */
  holdWriterWith(hold: HoldWriter): void { this.holdWriter = hold; }

  /**
   * A reader is about to hold a snapshot for long (a report): no WAL restart is tried until the
   * function returned is called, since none could copy back the frames that snapshot still reads,
   * and each try would hold the writer for nothing.
   */
  pinSnapshot(): () => void {
    this.pinnedSnapshots++;
    let released = false;
    return () => { if (!released) { released = true; this.pinnedSnapshots--; } };
  }

  /** Called after each hold of the writer for a WAL restart (metrics). */
  observeRestarts(observer: (hold: RestartHold) => void): void { this.restartObservers.push(observer); }

  /**
   * SQLite restarts the WAL from its beginning only when a writer begins with every frame copied
   * back, which under steady load never happens by itself: the WAL would grow to the backstop, whose
   * checkpoint then copies and fsyncs on the main thread (10-40 ms of stalled event loop). Here the
   * writer alone is held between two batches, the restart thread copies the last frames back, and
   * the next batch restarts the WAL; requests are read and checked meanwhile.
   */
  private async restartWal(): Promise<void> {
    if (this.restarting || this.stopped || !this.holdWriter || !this.restarter || this.pinnedSnapshots > 0 || performance.now() < this.notBefore) return;
    this.restarting = true;
    try {
      // While the writer runs: copy back what the periodic thread has not yet, so that the pass
      // under hold copies only the frames of the last moments. (The database file is not flushed
      // here: at a million cards that is ~90 MiB of random pages competing with the WAL's fsyncs.)
      const caughtUp = await this.pass(false);
      // Still far behind (a reader on an old snapshot, which no checkpoint may pass; a thread
      // that did not answer): a hold could not copy everything back and would only stall the writer.
      if (!(caughtUp.lag <= MAX_LAG_TO_HOLD)) return this.backOff();
      if (this.stopped) return;
      const release = await this.holdWriter();
      const heldAt = performance.now();
      let complete = false;
      try {
        complete = (await this.pass(true)).complete;
      } finally {
        release();
      }
      if (complete) this.backoffMs = 0;
      else this.backOff();
      const hold = { heldMs: performance.now() - heldAt, complete };
      for (const observer of this.restartObservers) observer(hold);
    } finally {
      this.restarting = false;
    }
  }

  /** No hold for a while after one that could not be made or did not copy everything back. */
  private backOff(): void {
    this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.backoffMs * 2));
    this.notBefore = performance.now() + this.backoffMs;
  }

  /**
   * One checkpoint pass on the restart thread: whether it left every frame copied back, and how
   * many it left (Infinity when the thread did not say).
   */
  private async pass(untilComplete: boolean): Promise<{ complete: boolean; lag: number }> {
    const restarter = this.restarter!;
    const id = ++this.passes;
    let timer: NodeJS.Timeout | undefined;
    // Referenced until answered: a process whose only work is held writes (a script, the bench's
    // engine run) would otherwise see nothing left to wait for, and exit.
    restarter.ref();
    try {
      return await new Promise((resolve) => {
        this.passed.set(id, resolve);
        // Never hold the writer for long, whatever the thread does.
        timer = setTimeout(() => resolve({ complete: false, lag: Infinity }), BACKFILL_WAIT_MS + 50);
        restarter.postMessage({ pass: id, untilComplete } satisfies ToCheckpointer);
      });
    } finally {
      clearTimeout(timer);
      if (!this.stopped) restarter.unref();
      this.passed.delete(id);
    }
  }

  private workers(): Worker[] {
    return this.restarter ? [this.worker, this.restarter] : [this.worker];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers().map(async (worker) => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Keep the process alive until the worker has closed its connection.
      worker.ref();
      worker.postMessage('stop' satisfies ToCheckpointer);
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
      await worker.terminate();
    }));
    this.errors.flush();
  }
}
