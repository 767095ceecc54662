// Where a service process's on-CPU time goes, from a `perf` sample of it: each sample is given to
// one bucket by its stack (the nearest JavaScript frame's module, the bundle's frames mapped back
// to their sources through dist/main.mjs.map; a socket write by whom it writes for), in µs per
// authorization. docs/performance.md, "Where the service's CPU goes".
//
//   BENCH_CHILD_NODE_ARGS=--perf-basic-prof npm run bench -- --db postgres://… --http-only --seconds 30 &
//   perf record -e cpu-clock -F 2000 -g -p <service pid> -o /tmp/s.data -- sleep 10   # while it runs
//   perf script -i /tmp/s.data -F ip,sym > /tmp/s.txt
//   npx tsx scripts/bench/perf-breakdown.ts /tmp/s.txt dist/main.mjs.map <authorizations in those 10 s>
//
// The authorizations: card_authorizations_total from the service's /metrics before and after.
// cpu-clock counts on-CPU time only (V8's --cpu-prof counts a descheduled writev too).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

const [file, mapFile, authsArg] = process.argv.slice(2);
if (!file || !mapFile || !authsArg) throw new Error('usage: perf-breakdown.ts <perf script output> <main.mjs.map> <authorizations>');
const authorizations = Number(authsArg);
const sourceMap = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
const samples = readFileSync(file, 'utf8').split('\n\n')
  .map((block) => block.split('\n').map((l) => l.trim().replace(/^\S+\s+/, '')).filter(Boolean))
  .filter((s) => s.length);

const sources = new Map<string, string>();
/** A JavaScript frame's function and source (node_modules/x → nm/x), or null for a native one. */
function where(frame: string): string | null {
  const m = /^JS:\S?(.*?)\s+(\S+)$/.exec(frame);
  if (!m) return null;
  let at = m[2];
  const bundled = /main\.mjs:(\d+):(\d+)/.exec(at);
  if (bundled) {
    const key = `${bundled[1]}:${bundled[2]}`;
    if (!sources.has(key)) {
      const entry = sourceMap.findEntry(Number(bundled[1]) - 1, Number(bundled[2]) - 1);
      sources.set(key, 'originalSource' in entry ? entry.originalSource : '?');
    }
    at = sources.get(key)!;
  }
  return `${m[1] || '(anon)'} ${at.replace(/^.*node_modules\//, 'nm/').replace(/^.*\/src\//, 'src/')}`;
}

const native = (s: string[], pattern: RegExp) => s.some((f) => !f.startsWith('JS:') && pattern.test(f));
const nearest = (js: string[], pattern: RegExp) => js[0] !== undefined && pattern.test(js[0]);
const SOCKET_WRITE = /writevGeneric|writeGeneric|Socket\._writev|StreamBase::Writev|DoTryWrite|__GI___writev|__libc_write/;

/** First match wins. */
const buckets: Array<[string, (s: string[], js: string[]) => boolean]> = [
  ['GC', (s) => native(s, /Scavenge|MarkCompact|Heap::|GCTracer|Sweeper|ConcurrentMarking|ArrayBufferSweeper/)],
  ["V8's optimizing compiler (its own thread)", (s) => native(s, /OptimizingCompileDispatcher|compiler::Pipeline|Compiler::/)],
  ['socket writes to PostgreSQL', (s, js) => s.some((f) => SOCKET_WRITE.test(f)) && js.some((l) => /nm\/pg\/|nm\/pg-protocol|nm\/pg-pool|pg-direct|pg-events/.test(l))],
  ['socket writes of the HTTP responses', (s) => s.some((f) => SOCKET_WRITE.test(f))],
  ['pg: answers (parser, client, Query, Result)', (s, js) => nearest(js, /nm\/pg-protocol\/dist\/(parser|buffer-reader|index)|nm\/pg\/lib\/(client|result|query)|nm\/pg-types|nm\/postgres-/) && js.some((l) => /parser\.js/.test(l))],
  ['pg: building and sending statements', (s, js) => nearest(js, /nm\/pg-protocol|nm\/pg\/lib|nm\/pg-types/)],
  ['pg-pool, kysely, group commit', (s, js) => nearest(js, /nm\/pg-pool|nm\/kysely|src\/runtime\/(pg-group-commit|group-commit|savepoint)|src\/store\/transaction/)],
  ['our database path (prepared, pg-direct, repositories, pg-events)', (s, js) => nearest(js, /src\/runtime\/(prepared|pg-direct|pg-named)|src\/store\/|src\/service\/pg-events/)],
  ['crypto (HMAC, SHA-256)', (s, js) => nearest(js, /node:internal\/crypto|src\/crypto/)],
  ['HTTP: node http, fast path, hono, zod, logging', (s, js) => nearest(js, /node:_http|node:internal\/http|src\/http|nm\/hono|nm\/@hono|nm\/zod|node:internal\/streams|node:net|node:internal\/stream_base|node:events|node:buffer|node:internal\/buffer/)],
  ['verb and domain code', (s, js) => nearest(js, /src\/(service|domain|ids|money)/)],
  ['promises and microtasks', (s, js) => nearest(js, /node:internal\/process\/(task_queues|promises)|node:internal\/timers/)],
  ['event loop, socket reads, malloc (no JavaScript frame)', (s, js) => js.length === 0],
  ['other JavaScript', () => true],
];

const counts = new Map<string, number>();
for (const s of samples) {
  const js = s.filter((f) => f.startsWith('JS:')).map((f) => where(f)!);
  const [name] = buckets.find(([, test]) => test(s, js))!;
  counts.set(name, (counts.get(name) ?? 0) + 1);
}
// perf samples at the -F given to it; 2000 Hz: 500 µs a sample.
const usPerSample = 1e6 / Number(process.env.PERF_HZ ?? 2000);
console.log(`${samples.length} samples, ${((samples.length * usPerSample) / authorizations).toFixed(0)} µs per authorization`);
for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) {
  console.log(`${((n * usPerSample) / authorizations).toFixed(0).padStart(5)} µs  ${((100 * n) / samples.length).toFixed(1).padStart(5)} %  ${name}`);
}
