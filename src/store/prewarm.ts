// Reads the SQLite file once, front to back, after the server is ready, so that the operating
// system's page cache holds it. Without this, the first minutes after a restart (or after the
// kernel reclaimed the cache of an idle file) answer from disk: every authorization probes indexes
// at random (card fingerprints, accounts, per-account history), and with a million cards each probe
// that misses the cache is a disk read inside a group commit that 64 requests wait on. Measured in
// docs/performance.md. PostgreSQL keeps its own buffers (pg_prewarm is its tool for this).
import { open } from 'node:fs/promises';
import type { DbHandle } from './db.js';

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
  /** One read at a time of this size: a single thread-pool thread is busy, the WAL fsyncs keep the others. */
  chunkBytes?: number;
  signal?: AbortSignal;
}

export async function prewarmFile(path: string, o: PrewarmOptions): Promise<PrewarmResult> {
  const started = performance.now();
  const file = await open(path, 'r');
  let bytes = 0;
  try {
    const { size } = await file.stat();
    const end = Math.min(size, o.maxBytes);
    const buffer = Buffer.allocUnsafe(Math.min(o.chunkBytes ?? 1 << 20, Math.max(end, 1)));
    while (bytes < end && !o.signal?.aborted) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end - bytes), bytes);
      if (bytesRead === 0) break; // the file shrank (VACUUM): nothing more to read
      bytes += bytesRead;
    }
  } finally {
    await file.close();
  }
  return { bytes, ms: performance.now() - started, stopped: o.signal?.aborted ?? false };
}

/** The file behind a handle, when it is SQLite on disk (else null: nothing to prewarm). */
export function sqliteFileOf(handle: Pick<DbHandle, 'sqlite'>): string | null {
  return handle.sqlite && !handle.sqlite.memory ? handle.sqlite.name : null;
}
