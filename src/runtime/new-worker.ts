// Starts a worker thread on an entry module: the bundle's .mjs in production, the TypeScript source
// under tsx (tests, scripts).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running `entry`. The bundle is plain JavaScript; TypeScript sources (tests, tsx) need
 * tsx's loader registered in the worker first (`--import tsx` in execArgv is not honoured there).
 */
export function newWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
