// Ad-hoc A/B of one change, in process, with the two variants interleaved in short slices of one
// run, so that a noisy host's drift hits both alike (separate runs drifted 2.5× on some days).
// The change reads an environment variable on every call; this flips it between slices.
//   npx tsx scripts/bench/ab-engine.ts VAR [seconds=40] [cards=10000 | DIR of a --reuse bench] [inFlight=20]
// AB_SETUP_SQL, if set, runs on the database before the service opens it (a column or an index
// one variant needs).
// AB_WITHOUT_ROWID=table,table compares two storage layouts instead: variant 1 runs on a copy of the
// database with those tables rebuilt WITHOUT ROWID, each variant on its own service in this process
// (converting only fx_rates measures the method's own noise).
// AB_CACHE_MB=A,B compares two SQLite page cache sizes the same way: variant 0 with A MiB on the
// database, variant 1 with B MiB on a copy of it.
// AB_COPY_SQL='drop index …' runs SQL on variant 1's copy only: what an index or a layout costs
// (run AB_COPY_SQL='select 1' for the copy's own bias).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { authorize } from '../../src/service/network/authorize.js';
import { runNetworkVerb } from '../../src/runtime/index.js';
import { seedDatabase, type SeededCard } from '../seed.js';
import { benchSecrets, readReused } from './manifest.js';
import { Workload } from './workload.js';

const [variable, secondsArg = '40', source = '10000', inFlightArg = '20'] = process.argv.slice(2);
if (!variable) throw new Error('usage: ab-engine.ts VAR [seconds] [cards | reuse dir] [inFlight]');
const SLICE_MS = 400;

let secrets = benchSecrets();
let cards: SeededCard[];
let databaseUrl: string;
let temp: string | null = null;
const reused = readReused(source);
if (reused) {
  ({ secrets, databaseUrl } = reused);
  cards = reused.seeded.cards;
} else {
  temp = mkdtempSync(join(tmpdir(), 'isc-ab-'));
  databaseUrl = `sqlite:${join(temp, 'ab.db')}`;
  cards = (await seedDatabase({ databaseUrl, cards: Number(source), history: 0, secrets, sync: 'FULL', log: () => {} })).cards;
}

if (process.env.AB_SETUP_SQL) {
  const db = new SqliteDatabase(databaseUrl.slice('sqlite:'.length));
  db.exec(process.env.AB_SETUP_SQL);
  db.close();
}

/** A copy of the database file, its WAL copied back first (before any service opens it). */
function plainCopy(file: string, copy: string): string {
  const original = new SqliteDatabase(file);
  const [checkpoint] = original.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  original.close();
  if (checkpoint.busy) throw new Error(`${file}: its WAL could not be copied back (another connection is using it)`);
  // A WAL left by an earlier, interrupted run would be replayed onto the fresh copy.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  copyFileSync(file, copy);
  return copy;
}

/** A copy of the database with `tables` rebuilt WITHOUT ROWID (same columns, constraints, indexes). */
function withoutRowidCopy(file: string, tables: string[]): string {
  const copy = plainCopy(file, `${file}.without-rowid.db`);
  const db = new SqliteDatabase(copy);
  db.pragma('foreign_keys = OFF');
  db.transaction(() => {
    for (const table of tables) {
      const { sql: create } = db.prepare("select sql from sqlite_master where type = 'table' and name = ?").get(table) as { sql: string };
      const indexes = db.prepare("select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null").pluck().all(table) as string[];
      db.exec(`${create.replace(`CREATE TABLE ${table}`, `CREATE TABLE ${table}_rebuilt`)} WITHOUT ROWID`);
      db.exec(`insert into ${table}_rebuilt select * from ${table}; drop table ${table}; alter table ${table}_rebuilt rename to ${table};`);
      for (const index of indexes) db.exec(index);
    }
  })();
  db.exec('vacuum');
  db.close();
  return copy;
}

const cacheMb = process.env.AB_CACHE_MB?.split(',');
if (cacheMb && cacheMb.length !== 2) throw new Error('AB_CACHE_MB needs two sizes, A,B (MiB)');
const serve = (url: string, cache = cacheMb?.[0] ?? process.env.SQLITE_CACHE_MB) => startServices({
  config: loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, SQLITE_SYNCHRONOUS: 'FULL', DEMO: '0', SQLITE_CACHE_MB: cache }),
  secrets, logger: pino({ level: 'silent' }), metrics: false,
});
const layouts = process.env.AB_WITHOUT_ROWID?.split(',');
const file = databaseUrl.slice('sqlite:'.length);
const copySql = process.env.AB_COPY_SQL;
const copyB = layouts ? withoutRowidCopy(file, layouts) : cacheMb || copySql ? plainCopy(file, `${file}.copy.db`) : null;
if (copyB && copySql) {
  const db = new SqliteDatabase(copyB);
  db.exec(copySql);
  db.close();
}
const deps = await serve(databaseUrl);
const depsB = copyB ? await serve(`sqlite:${copyB}`, cacheMb?.[1]) : deps;
const workload = new Workload(cards);
const totals = { '0': { count: 0, ms: 0, cpuUs: 0 }, '1': { count: 0, ms: 0, cpuUs: 0 } };
let variant: '0' | '1' = '0';
process.env[variable] = variant;
let count = 0;
const until = performance.now() + Number(secondsArg) * 1000;
let sliceStart = performance.now();
let cpuStart = process.cpuUsage();
let countStart = 0;
const slicer = setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const t = totals[variant];
  t.count += count - countStart; t.ms += now - sliceStart; t.cpuUs += cpu.user + cpu.system;
  variant = variant === '0' ? '1' : '0';
  process.env[variable] = variant;
  sliceStart = now; cpuStart = process.cpuUsage(); countStart = count;
}, SLICE_MS);
const loop = async () => {
  while (performance.now() < until) {
    const request = workload.next() as unknown as AuthorizationRequest;
    const on = variant === '1' ? depsB : deps;
    await runNetworkVerb(on, (trx) => authorize(trx, on, { request, networkClient: secrets.networkKeyId, sourceIp: '127.0.0.1' }));
    count++;
  }
};
await Promise.all(Array.from({ length: Number(inFlightArg) }, loop));
clearInterval(slicer);
await deps.handle.close();
if (copyB) {
  await depsB.handle.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${copyB}${suffix}`, { force: true });
}
if (temp) rmSync(temp, { recursive: true, force: true });
for (const v of ['0', '1'] as const) {
  const t = totals[v];
  console.log(`${variable}=${v}: ${Math.round(t.count / (t.ms / 1000))} auth/s, ${Math.round(t.cpuUs / t.count)} µs CPU per authorization (${t.count} in ${(t.ms / 1000).toFixed(1)} s)`);
}
const [a, b] = [totals['0'], totals['1']];
console.log(`${variable}=1 against 0: ${(100 * ((b.count / b.ms) / (a.count / a.ms) - 1)).toFixed(1)} % auth/s, ${(100 * ((b.cpuUs / b.count) / (a.cpuUs / a.count) - 1)).toFixed(1)} % CPU per authorization`);
