// Bundles the service (src/main.ts and everything it imports, dependencies included) into one ES
// module, dist/main.mjs, with a source map; and beside it, each worker thread's entry on its own, so
// that a thread loads what it runs and not the whole app: dist/authorization-worker-main.mjs,
// dist/report-thread-main.mjs, dist/checkpointer-thread.mjs and dist/prewarm-thread.mjs (the code
// starting them finds them beside itself, runtime/new-worker.ts). `npm start` runs this, then `node
// dist/main.mjs`: node then parses one file instead of compiling hundreds of TypeScript modules
// through tsx and resolving hundreds of package files, most of the start-up time
// (docs/decisions/0048-start-up.md). Plain JavaScript so that it runs without tsx.
//
//   node scripts/build.mjs           build unless dist/ is up to date (a few ms when it is)
//   node scripts/build.mjs --force   build anyway (about 0.5 s)
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// src/root.ts finds the project root as '../' from the bundle: keep the bundle one level down.
const outfile = `${root}dist/main.mjs`;
// Every entry lands in dist/ under its own name: src/root.ts and the threads' entries are found
// relative to the bundled module, which is one of these.
const entryPoints = [
  { in: 'src/main.ts', out: 'main' },
  { in: 'src/authorization-worker-main.ts', out: 'authorization-worker-main' },
  { in: 'src/report-thread-main.ts', out: 'report-thread-main' },
  { in: 'src/runtime/checkpointer-thread.ts', out: 'checkpointer-thread' },
  { in: 'src/runtime/prewarm-thread.ts', out: 'prewarm-thread' },
];
const outputs = entryPoints.map((entry) => `${root}dist/${entry.out}.mjs`);
// What the last build read (esbuild's list of inputs, this script included) and when it started.
const inputsFile = `${root}dist/main.inputs.json`;

/** True when the bundle exists and no file it was built from changed since its build began. */
function upToDate() {
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    for (const output of outputs) statSync(output);
    return inputs.every((file) => statSync(`${root}${file}`).mtimeMs < startedAt);
  } catch {
    return false; // no bundle, no record, or an input is gone: build
  }
}

async function build() {
  const startedAt = Date.now();
  const began = performance.now();
  // Loaded only when needed: an up-to-date check stays a few milliseconds.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: `${root}dist`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // better-sqlite3 loads its compiled addon from its own package folder; pg has an optional native
    // binding (pg-native) it requires by name. Both stay in node_modules and load from there.
    external: ['better-sqlite3', 'pg', 'pg-native'],
    // CommonJS dependencies bundled into an ES module still call require() (node built-ins, luhn):
    // give the bundle a real one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // Written to a temporary name and renamed: a server starting from dist/ while another build runs
  // (npm start, the bench, the bundle test) never reads half a file.
  mkdirSync(dirname(outfile), { recursive: true });
  const put = (path, contents) => {
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  };
  for (const file of result.outputFiles) put(file.path, file.contents);
  // tsconfig.json sets the JSX runtime; package.json the module type; this script the options;
  // package-lock.json changes with every dependency, even when node_modules keeps old timestamps.
  const inputs = [...Object.keys(result.metafile.inputs), 'tsconfig.json', 'package.json', 'package-lock.json', relative(root, fileURLToPath(import.meta.url))];
  put(inputsFile, JSON.stringify({ startedAt, inputs }));
  const kb = Math.round(result.outputFiles.find((f) => f.path === outfile).contents.length / 1024);
  process.stderr.write(`built ${relative(root, outfile)} (${kb} KB) in ${Math.round(performance.now() - began)} ms\n`);
}

if (process.argv.includes('--force') || !upToDate()) await build();
