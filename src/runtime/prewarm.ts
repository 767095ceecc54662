// Reads the SQLite file once, front to back, at start (without holding up readiness), so that the
// operating system's page cache holds it. Without this, the first minutes after a restart (or after
// the kernel reclaimed the cache of an idle file) answer from disk: every authorization probes
// indexes at random (card fingerprints, card rows, accounts), and with a million cards
// each probe that misses the cache is a disk read inside a group commit that 64 requests wait on.
// Figures: docs/performance.md, "A million cards". PostgreSQL keeps its own buffers (pg_prewarm is its tool).
import type { DbHandle } from '../store/db.js';
import { acquireDescriptor, releaseDescriptor } from './file-descriptors.js';
import { entryBeside, newWorker } from './new-worker.js';
import type { PrewarmThreadData } from './prewarm-thread.js';

export interface PrewarmResult {
  /** Bytes read (at most the file's size and the cap). */
  bytes: number;
  ms: number;
  /** True when stopped before the end (shutdown). */
  stopped: boolean;
}

export interface PrewarmOptions {
  /** Read at most this much from the front of the file. */
  maxBytes: number;
  /** Bytes per read (default 8 MiB). */
  chunkBytes?: number;
  signal?: AbortSignal;
}

// A worker thread reads, synchronously (prewarm-thread.ts): on the event loop, each read waited for
// the busy main thread to start the next, and a 4.5 GB file took over 30 s under load (the disk
// reads 650 MB/s).
const THREAD_ENTRY = entryBeside('prewarm-thread', import.meta.url);

export function prewarmFile(path: string, o: PrewarmOptions): Promise<PrewarmResult> {
  const started = performance.now();
  const result = (bytes: number, stopped: boolean) => ({ bytes, ms: performance.now() - started, stopped });
  if (o.signal?.aborted) return Promise.resolve(result(0, true));
  // A descriptor of our own on a database file must not be closed while a connection of this
  // process holds locks on it (runtime/file-descriptors.ts): the shared one, let go when done.
  let fd: number;
  try {
    fd = acquireDescriptor(path);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<PrewarmResult>((resolve, reject) => {
    const workerData: PrewarmThreadData = { fd, maxBytes: o.maxBytes, chunkBytes: o.chunkBytes ?? 8 * 2 ** 20 };
    const worker = newWorker(THREAD_ENTRY, { workerData, bundleUnderTsx: true });
    worker.unref(); // never what keeps the process alive
    let bytes: number | null = null;
    const stop = () => void worker.terminate();
    o.signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: number) => { bytes = m; });
    worker.on('error', reject);
    worker.on('exit', () => {
      o.signal?.removeEventListener('abort', stop);
      // Stopped mid-way, the worker cannot say how far it got.
      resolve(bytes === null ? result(0, true) : result(bytes, false));
    });
  }).finally(() => releaseDescriptor(path));
}

/** The file behind a handle, when it is SQLite on disk (else null: nothing to prewarm). */
export function sqliteFileOf(handle: Pick<DbHandle, 'sqlite'>): string | null {
  return handle.sqlite && !handle.sqlite.memory ? handle.sqlite.name : null;
}
