// Starts a worker thread on an entry module: the bundle's .mjs in production, the TypeScript source
// under tsx (tests, scripts).
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The entry module `name` beside the module at `moduleUrl` (its import.meta.url): in the bundle,
 * dist/<name>.mjs beside dist/main.mjs (scripts/build.mjs bundles each thread's entry there); under
 * tsx, <name>.ts beside the source.
 */
export function entryBeside(name: string, moduleUrl: string): URL {
  return new URL(`./${name}.${moduleUrl.endsWith('.ts') ? 'ts' : 'mjs'}`, moduleUrl);
}

export interface ThreadOptions extends WorkerOptions {
  /**
   * Under tsx, bundle the entry on this thread (esbuild, once per process) instead of registering
   * tsx's loader in the worker, which makes each start ~0.5 s slower than the bundle's. For the
   * threads started with every database handle (the checkpointer's two, prewarm's), whose modules
   * import only node, packages and modules like themselves. Bundled as CommonJS, such a module has
   * no import.meta.
   */
  bundleUnderTsx?: boolean;
}

/**
 * A worker running `entry`. The bundle is plain JavaScript; TypeScript sources (tests, tsx) need
 * tsx's loader registered in the worker first (`--import tsx` in execArgv is not honoured there),
 * or bundling (ThreadOptions.bundleUnderTsx).
 */
export function newWorker(entry: URL, { bundleUnderTsx, ...options }: ThreadOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const require = createRequire(import.meta.url);
  if (bundleUnderTsx) {
    // Its packages are required from beside the source, as they would be imported from there.
    const source = `(function (require) {\n${bundled(entry)}\n})(require('node:module').createRequire(${JSON.stringify(fileURLToPath(entry))}));`;
    return new Worker(source, { ...options, eval: true });
  }
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

const bundles = new Map<string, string>();

/** `entry` and the modules it imports, as one CommonJS script; packages stay outside. */
function bundled(entry: URL): string {
  let code = bundles.get(entry.href);
  if (code === undefined) {
    // Loaded only here: the bundle never needs esbuild.
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(entry)], bundle: true, format: 'cjs', platform: 'node', target: 'node20',
      packages: 'external', write: false, logLevel: 'silent',
    });
    code = result.outputFiles[0].text;
    bundles.set(entry.href, code);
  }
  return code;
}
