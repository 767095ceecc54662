// The thread of prewarm.ts: reads the file front to back, synchronously, into the page cache, and
// posts how many bytes it read. Started by prewarmFile with newWorker: dist/prewarm-thread.mjs in
// the bundle, this source under tsx (bundled as CommonJS on start: newWorker's bundleUnderTsx).
import { fstatSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface PrewarmThreadData {
  /** The parent's descriptor (runtime/file-descriptors.ts): never closed here. */
  fd: number;
  maxBytes: number;
  chunkBytes: number;
}

const { fd, maxBytes, chunkBytes } = workerData as PrewarmThreadData;
let bytes = 0;
const end = Math.min(fstatSync(fd).size, maxBytes);
const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, end)));
while (bytes < end) {
  const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - bytes), bytes);
  if (read === 0) break; // the file shrank (VACUUM): nothing more to read
  bytes += read;
}
parentPort!.postMessage(bytes);
