// Ad-hoc: the floor that engineRatio can reach with today's write set. Runs the engine in process
// (as sql-time.ts) and records every statement the main connection runs, with its parameters; then
// replays that record with bare better-sqlite3 on a copy of the database as it was before the run,
// in the same batches and the same synchronous mode, with no JavaScript of ours in between. The
// replay's rate against the bare baseline (bench/engine.ts, bareSqlite) is the highest engineRatio
// that code can reach without writing less; the engine's rate against the replay's is what our
// JavaScript costs.
//   npx tsx scripts/bench/sql-floor.ts [cards=10000] [inFlight=22] [seconds=6]
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSecrets } from './manifest.js';

type Step = { sql: string; method: 'run' | 'get' | 'all' | 'exec'; args: unknown[] };
const steps: Step[] = [];
let recording = false;
// Patch the prototypes before any connection opens (better-sqlite3 shares them). The checkpoint
// thread loads its own copy of the module and is not recorded.
const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('select 1'));
for (const m of ['run', 'get', 'all'] as const) {
  const original = statementProto[m];
  statementProto[m] = function (this: { source: string }, ...args: unknown[]) {
    if (recording) steps.push({ sql: this.source, method: m, args });
    return original.apply(this, args);
  };
}
const databaseProto = Object.getPrototypeOf(probe);
const originalExec = databaseProto.exec;
databaseProto.exec = function (this: unknown, sql: string) {
  if (recording) steps.push({ sql, method: 'exec', args: [] });
  return originalExec.call(this, sql);
};
probe.close();

const { engineRun, bareSqlite } = await import('./engine.js');
const { seedDatabase } = await import('../seed.js');
const cards = Number(process.argv[2] ?? 10000);
const inFlight = Number(process.argv[3] ?? 22);
const seconds = Number(process.argv[4] ?? 6);
const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-floor-'));
try {
  const path = join(dir, 'p.db');
  const seeded = await seedDatabase({ databaseUrl: `sqlite:${path}`, cards, history: 0, secrets, sync: 'FULL', log: () => {} });
  for (const suffix of ['', '-wal']) if (existsSync(path + suffix)) copyFileSync(path + suffix, join(dir, 'copy.db' + suffix));

  recording = true;
  const engine = await engineRun(`sqlite:${path}`, secrets, seeded.cards, { seconds, inFlight, sync: 'FULL' });
  recording = false;

  // The replay: every statement as recorded, except the per-batch switches of the synchronous
  // mode (wal-sync.ts commits relaxed and fsyncs on the thread pool; the replay commits at FULL,
  // fsync inline, as the baseline does) and the start-up reads before the first batch.
  const db = new Database(join(dir, 'copy.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env.FLOOR_SYNC ?? 'FULL'}`);
  db.pragma('cache_size = -32768');
  if (process.env.FLOOR_AUTOCHECKPOINT) db.pragma(`wal_autocheckpoint = ${Number(process.env.FLOOR_AUTOCHECKPOINT)}`);
  const first = steps.findIndex((s) => /^\s*begin/i.test(s.sql));
  const replay = steps.slice(first).filter((s) => !/^\s*pragma/i.test(s.sql));
  const prepared = new Map<string, Database.Statement>();
  const plan = replay.map((s) => {
    if (s.method === 'exec') return s;
    let st = prepared.get(s.sql);
    if (!st) { st = db.prepare(s.sql); prepared.set(s.sql, st); }
    return { ...s, st };
  }) as (Step & { st?: Database.Statement })[];
  const started = performance.now();
  for (const s of plan) {
    if (s.method === 'exec') db.exec(s.sql);
    else (s.st![s.method] as (...a: unknown[]) => unknown)(...s.args);
  }
  const replaySeconds = (performance.now() - started) / 1000;
  db.close();
  const floorPerSec = engine.count / replaySeconds;
  const bare = await bareSqlite({ seconds: 5, batch: engine.meanBatch, sync: 'FULL', accounts: Math.min(cards, 100_000) });
  const r = (x: number) => Math.round(x).toLocaleString('en');
  console.log(`engine in process      ${r(engine.perSec)} auth/s (mean batch ${engine.meanBatch.toFixed(1)}, ${engine.count} authorizations, ${replay.length} statements)`);
  console.log(`its statements, bare   ${r(floorPerSec)} auth/s (${(replaySeconds * 1e6 / engine.count).toFixed(1)} µs each, fsync included)`);
  console.log(`baseline (b)           ${r(bare)} tx/s`);
  console.log(`engineRatio ${(engine.perSec / bare).toFixed(3)}; floor ${(floorPerSec / bare).toFixed(3)} (the statements alone); engine/floor ${(engine.perSec / floorPerSec).toFixed(3)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
