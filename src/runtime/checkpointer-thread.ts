// A checkpoint thread of checkpointer.ts: its own connection to the database file, PASSIVE
// checkpoints at an interval (the periodic thread), passes on request (the restart thread).
// Started by Checkpointer with newWorker: dist/checkpointer-thread.mjs in the bundle, this source
// under tsx. It imports only node, better-sqlite3 and thread-priority.ts, and never import.meta:
// under tsx it is bundled as CommonJS on start (newWorker's bundleUnderTsx).
import { parentPort as port, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThisThreadPriority } from './thread-priority.js';

export interface CheckpointerThreadData {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  /** Between two periodic checkpoints; 0: none (the restart thread only answers passes). */
  intervalMs: number;
  /** WAL frames from which a periodic checkpoint asks for a restart; 0: never. */
  restartAtFrames: number;
  /** Longest a pass tries again while the other thread holds the checkpoint lock. */
  backfillMs: number;
  /** Steps the thread's nice value is raised above the process's (thread-priority.ts). */
  nice: number;
}

/** A pass: copy frames back once, or (`untilComplete`, the writer held) until none is left. */
export type ToCheckpointer = 'stop' | { pass: number; untilComplete: boolean };

export type FromCheckpointer =
  | { error: string }
  | { walFrames: number }
  /** `lag`: frames the pass left behind; null when unknown (the pass did not run, or no WAL). */
  | { pass: number; complete: boolean; lag: number | null };

const data = workerData as CheckpointerThreadData;
const parentPort = port!;
const post = (m: FromCheckpointer) => parentPort.postMessage(m);
const messageOf = (error: unknown) => String((error as { message?: unknown } | null)?.message);

lowerThisThreadPriority(data.nice);

let db: Database.Database | undefined;
let checkpoint: Database.Statement<[]> | undefined;
let timer: NodeJS.Timeout | undefined;
type CheckpointRow = { busy: number; log: number; checkpointed: number };

try {
  db = new Database(data.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  db.pragma(`synchronous = ${data.synchronous}`);
  const statement = checkpoint = db.prepare<[]>('PRAGMA wal_checkpoint(PASSIVE)');
  if (data.intervalMs > 0) timer = setInterval(() => {
    try {
      const { log } = statement.get() as CheckpointRow;
      if (data.restartAtFrames > 0 && log >= data.restartAtFrames) post({ walFrames: log });
    } catch (error) { post({ error: messageOf(error) }); }
  }, data.intervalMs);
} catch (error) {
  // Posted, not thrown: SQLite's errors reach the parent's 'error' event as { code } alone.
  post({ error: `cannot open the database: ${messageOf(error)}` });
}

const pause = new Int32Array(new SharedArrayBuffer(4));

parentPort.on('message', (m: ToCheckpointer) => {
  if (m === 'stop') {
    clearInterval(timer);
    db?.close();
    parentPort.close();
    return;
  }
  if (typeof m !== 'object' || typeof m.pass !== 'number') return;
  // One pass; until every frame is copied back if asked (the writer is then held). The other
  // thread may hold the checkpoint lock (SQLite answers busy at once, without its busy handler):
  // try again shortly, for a while.
  const deadline = performance.now() + data.backfillMs;
  let ran = false;
  let lag: number | null = null;
  for (;;) {
    try {
      const result = checkpoint ? checkpoint.get() as CheckpointRow : { busy: 1, log: -1, checkpointed: -1 };
      ran = !result.busy;
      lag = ran && result.log >= 0 ? result.log - result.checkpointed : null;
    } catch (error) { post({ error: messageOf(error) }); }
    if ((m.untilComplete ? lag === 0 : ran) || performance.now() >= deadline) break;
    Atomics.wait(pause, 0, 0, 0.25);
  }
  post({ pass: m.pass, complete: lag === 0, lag });
});
