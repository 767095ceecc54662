// Reports that read a whole table (service/reports/run-report.ts) run, on SQLite on disk, on a
// thread of their own with a read-only connection. On the main thread they held up every network
// authorization for their whole length: the audit head 1.8–4.2 s at 5M entries, every five
// minutes; the ledger check ~12 s at 1M accounts and 2M transfers (docs/decisions/performance.md,
// "Long work and the network's thread"). WAL lets the thread read its snapshot while the main
// connection writes. PostgreSQL runs them in the server; SQLite in memory has one connection only.
import type { Worker } from 'node:worker_threads';
import { newWorker } from './new-worker.js';
import { runReportOn, type Report, type ReportResult } from './service/reports/run-report.js';
import type { DbHandle } from './store/db.js';
import { sqliteFileOf } from './store/prewarm.js';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

export class ReportThread {
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly ready: Promise<void>;

  constructor(private readonly worker: Worker) {
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.on('message', (m: Reply | { ready: true }) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.resolve(m.result);
      else w?.reject(new Error(`report failed: ${m.message}`));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new Error(`the report thread exited (code ${code})`)));
    worker.unref(); // idle, it never keeps the process alive
  }

  get threadId(): number { return this.worker.threadId; }

  async run<R extends Report>(report: R): Promise<ReportResult<R>> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, report });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }
}

const threads = new WeakMap<DbHandle, ReportThread>();

/** The handle's report thread, once a report has started it (SQLite on disk only). */
export function reportThreadOf(handle: DbHandle): ReportThread | undefined {
  return threads.get(handle);
}

/** Runs a report off the main thread where it can (SQLite on disk), else on the handle itself. */
export function runReport<R extends Report>(handle: DbHandle, report: R): Promise<ReportResult<R>> {
  const file = sqliteFileOf(handle);
  if (!file) return runReportOn(handle.db, report);
  let thread = threads.get(handle);
  if (!thread) {
    // Beside this module: the bundle's dist/report-thread-main.mjs, or the source under tsx.
    const entry = new URL(`./report-thread-main.${import.meta.url.endsWith('.ts') ? 'ts' : 'mjs'}`, import.meta.url);
    const started = new ReportThread(newWorker(entry, { workerData: { file } }));
    thread = started;
    threads.set(handle, started);
    // Closing the database is how every caller shuts down: the thread's connection goes with it.
    const closeDatabase = handle.close.bind(handle);
    handle.close = async () => { threads.delete(handle); await started.stop(); await closeDatabase(); };
  }
  return thread.run(report);
}
