// Reports that read a whole table (service/reports/run-report.ts) run, for SQLite on disk, on a
// thread of their own with a read-only connection: on the main thread they would hold up every
// network authorization for their whole length (docs/decisions/0057-long-work-and-the-networks-thread.md).
// WAL lets the thread read its snapshot while the main connection writes. PostgreSQL runs them in the server; SQLite in memory has one connection only.
import type { Worker } from 'node:worker_threads';
import { newWorker } from './new-worker.js';
import { runReportOn, type Report, type ReportResult } from '../service/reports/run-report.js';
import type { LedgerReport } from '../service/ledger/check-ledger.js';
import type { DbHandle } from '../store/db.js';
import { sqliteFileOf } from './prewarm.js';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };
type Waiting = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One worker and its read-only connection. Once it has exited it answers nothing: start another. */
class ReportThread {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private readonly ready: Promise<void>;
  private gone: Error | undefined;

  constructor(private readonly worker: Worker, onGone: () => void) {
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the report thread exited during start-up (code ${code})`)));
    });
    this.ready.catch(() => {}); // a failed start is answered to the report that waits for it
    worker.on('message', (m: Reply | { ready: true }) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) worker.unref();
      if (m.ok) w?.resolve(m.result);
      else w?.reject(new Error(`report failed: ${m.message}`));
    });
    const end = (error: Error) => {
      this.gone ??= error;
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
      onGone();
    };
    worker.on('error', end);
    worker.on('exit', (code) => end(new Error(`the report thread exited (code ${code})`)));
    worker.unref(); // idle, it never keeps the process alive
  }

  get threadId(): number { return this.worker.threadId; }

  async run<R extends Report>(report: R): Promise<ReportResult<R>> {
    await this.ready;
    if (this.gone) throw this.gone;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref(); // referenced until answered: a report is not dropped by an exiting process
      this.worker.postMessage({ id, report });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The reports of one database handle (AppDeps.reports; created in bootstrap.ts). */
export class Reports {
  private thread: ReportThread | undefined;
  private ledgerCheck: Promise<LedgerReport> | undefined;

  /**
   * `entry`: the report thread's entry module (dist/report-thread-main.mjs, or its source under tsx).
   * `nice`: steps the thread's nice value is raised above the process's (Linux; 0 here, the config's
   * REPORT_THREAD_NICE defaults to 10). A report can take a little longer; the network's answers
   * cannot: ten steps lower, a ledger check under full load costs the network a few per cent of its
   * authorizations instead of a fifth (docs/performance.md, "A long report under load").
   */
  constructor(private readonly handle: DbHandle, private readonly entry: URL, private readonly o: { nice?: number } = {}) {}

  /** The thread, once a report has started one (tests). */
  get threadId(): number | undefined { return this.thread?.threadId; }

  run<R extends Report>(report: R): Promise<ReportResult<R>> {
    if (report.kind !== 'ledgerCheck') return this.runNow(report);
    // Asked again while one runs (any staff key may ask): the same answer, not a second pass.
    this.ledgerCheck ??= this.runNow({ kind: 'ledgerCheck' }).finally(() => { this.ledgerCheck = undefined; });
    return this.ledgerCheck as Promise<ReportResult<R>>;
  }

  async stop(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.stop();
  }

  private async runNow<R extends Report>(report: R): Promise<ReportResult<R>> {
    const file = sqliteFileOf(this.handle);
    if (!file) return runReportOn(this.handle.db, report);
    if (!this.thread) {
      const thread: ReportThread = new ReportThread(newWorker(this.entry, { workerData: { file, nice: this.o.nice ?? 0 } }), () => {
        if (this.thread === thread) this.thread = undefined;
      });
      this.thread = thread;
    }
    const unpin = this.handle.checkpointer?.pinSnapshot();
    try {
      return await this.thread.run(report);
    } finally {
      unpin?.();
    }
  }
}
