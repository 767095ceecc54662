// Entry of the report thread (src/runtime/report-thread.ts): bundled on its own
// (dist/report-thread-main.mjs). A read-only connection to the SQLite file; each report runs in a
// read transaction of its own while the main thread's connection goes on writing.
import { parentPort, workerData } from 'node:worker_threads';
import { runReportOn, type Report } from './service/reports/run-report.js';
import { openSqliteReader } from './store/db.js';
import { lowerThisThreadPriority } from './runtime/thread-priority.js';

const { file, nice } = workerData as { file: string; nice: number };
lowerThisThreadPriority(nice);
const db = openSqliteReader(file);

parentPort!.on('message', (m: { id: number; report: Report }) => {
  runReportOn(db, m.report).then(
    (result) => parentPort!.postMessage({ id: m.id, ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ id: m.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
parentPort!.postMessage({ ready: true });
