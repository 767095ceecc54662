// The benchmark (docs/performance.md): the full authorization path over HTTP against a bare hono
// route, and the engine in process against bare better-sqlite3, on the same machine in the same run.
//
//   npm run bench                       10,000 cards, SQLite, synchronous=FULL, 30 s each for the
//                                       service and the bare route, in alternating slices
//   npm run bench -- --quick            the same in under a minute
//   npm run bench -- --quick --http-only  only the service over HTTP (no baselines, no engine run)
//   npm run bench -- --sync NORMAL      SQLite synchronous=NORMAL
//   npm run bench -- --cards 1000000 --history 5000000
//   npm run bench -- --db postgres://postgres@127.0.0.1:5432/test
//   npm run bench -- --db postgres://… --pg-compare   beside the service, a second one on the same
//                                       database with PG_GROUP_COMMIT=0 (a transaction per request),
//                                       driven in the same alternating slices
//   npm run bench -- --db postgres://… --http-only --vs-sqlite   beside the PostgreSQL service, the
//                                       same service on a fresh SQLite file with as many cards, driven
//                                       in the same alternating slices: pgToSqlite, one run, one host
//   npm run bench -- --db postgres://… --pg-floor   the service on SQLite, then the least-path floor
//                                       on PostgreSQL (scripts/bench/pg-floor.ts): statements only,
//                                       batches of --floor-batch (16) on --floor-connections (8),
//                                       with and without a savepoint per authorization
//   npm run bench -- --reuse /tmp/big --cards 1000000 --history 5000000   (seed once, run again)
//   npm run bench -- ... --reference-cards N   beside a run with more than 10,000 cards, a second
//                                       service on a fresh N-card database (default 10,000; 0: none)
//                                       driven in the same alternating slices, for the 1M-card ratio
//                                       (p99 against the 10,000-card run's, host drift shared)
//   npm run bench -- --iso [--quick]    the service over ISO 8583 (4 persistent connections, 16 in
//                                       flight on each: --iso-connections, --iso-depth) and over
//                                       HTTP, and a bare TCP echo server, in alternating slices
//                                       (scripts/bench/iso-bench.ts), then the engine in process
//                                       with as many in flight (its ceiling at that depth)
//
// The last line of output is one JSON object (docs/decisions/0046-benchmark-definitions.md); the
// lines before it are a table.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Secrets } from '../src/config.js';
import { bareSqlite, barePostgres, engineRun } from './bench/engine.js';
import { alternate, pooled, runRate, warmUp, type Side } from './bench/load.js';
import { benchSecrets, readReused, writeManifest } from './bench/manifest.js';
import { compareIsoHttp } from './bench/iso-bench.js';
import { pgFloor } from './bench/pg-floor.js';
import { diskReadBytes, histogramDelta, histogramMean, peakRssMb, startChild, startService, stopChild, waitForPrewarm } from './bench/service.js';
import { Workload } from './bench/workload.js';
import { seedDatabase, type SeededCard, type SeedResult } from './seed.js';

interface Args { pgFloor: boolean; floorBatch: number; floorConnections: number; pgCompare: boolean; vsSqlite: boolean; iso: boolean; isoConnections: number; isoDepth: number | null; httpOnly: boolean; quick: boolean; db: string | null; cards: number; history: number; sync: 'FULL' | 'NORMAL'; connections: number; seconds: number; reuse: string | null; referenceCards: number | null }

function parseArgs(argv: string[]): Args {
  const get = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const quick = argv.includes('--quick');
  const sync = (get('--sync') ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('--sync must be FULL or NORMAL');
  const referenceCards = get('--reference-cards') === undefined ? null : Number(get('--reference-cards'));
  if (referenceCards !== null && (!Number.isInteger(referenceCards) || referenceCards < 0)) throw new Error('--reference-cards must be a whole number (0: no reference)');
  return {
    pgFloor: argv.includes('--pg-floor'), floorBatch: Number(get('--floor-batch') ?? 16), floorConnections: Number(get('--floor-connections') ?? 8),
    pgCompare: argv.includes('--pg-compare'), vsSqlite: argv.includes('--vs-sqlite'), iso: argv.includes('--iso'), isoConnections: Number(get('--iso-connections') ?? 4), isoDepth: get('--iso-depth') === undefined ? null : Number(get('--iso-depth')),
    httpOnly: argv.includes('--http-only'), quick, db: get('--db') ?? null, cards: Number(get('--cards') ?? 10_000), history: Number(get('--history') ?? 0), referenceCards,
    sync, connections: Number(get('--connections') ?? 64), seconds: Number(get('--seconds') ?? (quick ? 8 : 30)),
    reuse: get('--reuse') ? (mkdirSync(get('--reuse')!, { recursive: true }), resolve(get('--reuse')!)) : null,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => Number.isFinite(n) ? n.toFixed(digits) : 'n/a';

async function preparePostgres(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/**
 * Baseline (a): the bare hono route, driven exactly like the service, with a workload of its own
 * (it checks no signature and knows no card).
 */
async function startHttpBaseline(port: number) {
  const bare = await startChild('scripts/bench/http-baseline.ts', [String(port)], {}, port, (l) => l === 'ready');
  const cards = Array.from({ length: 100 }, (_, i) => ({ pan: `46578100000${String(i).padStart(5, '0')}`, expiry: '2911', cvv2: '123', limitFils: 100_000 }));
  return { child: bare, workload: new Workload(cards), load: { keyId: 'k', secret: 's' } };
}

/** Slices per side in the interleaved comparison (scripts/bench.ts, main). */
const SLICES = 6;

/** A large run's p99 is compared with a 10,000-card run's (docs/performance.md, "A million cards"). */
const REFERENCE_CARDS = 10_000;

/**
 * The reference for a run with many cards: a second service on a fresh database of `cards` cards
 * (no history), same keys and settings, driven in the same alternating slices as the service under
 * test: two runs a few minutes apart would compare the host's moments as much as the two databases
 * (docs/decisions/0046-benchmark-definitions.md).
 */
async function startReference(cards: number, port: number, secrets: Secrets, sync: 'FULL' | 'NORMAL') {
  const dir = mkdtempSync(join(tmpdir(), 'isc-bench-reference-'));
  const databaseUrl = `sqlite:${resolve(dir, 'bench.db')}`;
  log(`reference: seeding ${cards} cards, no history`);
  const seeded = await seedDatabase({ databaseUrl, cards, history: 0, secrets, sync, log: () => {} });
  const child = await startService({ port, databaseUrl, secrets, sync });
  await waitForPrewarm(child.url);
  return { child, workload: new Workload(seeded.cards), dir };
}

/**
 * --pg-floor: the service over HTTP on SQLite (a child run of this script, --http-only), then the
 * PostgreSQL floor with and without savepoints, one after the other on the same machine.
 */
async function floorRun(a: Args) {
  if (!a.db?.startsWith('postgres')) throw new Error('--pg-floor needs --db postgres://…');
  log('the service on SQLite (--http-only)');
  const sqliteLine = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--http-only', '--seconds', String(a.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim().split('\n').pop()!;
  const sqlite = JSON.parse(sqliteLine) as { authPerSec: number; p99Ms: number };
  const floorOptions = { url: a.db, seconds: a.seconds, batch: a.floorBatch, connections: a.floorConnections, accounts: Math.min(a.cards, 100_000) };
  log(`PostgreSQL floor: batches of ${a.floorBatch} on ${a.floorConnections} connections, ${a.seconds} s`);
  const floor = await pgFloor({ ...floorOptions, savepoints: false });
  log('PostgreSQL floor with a savepoint per authorization');
  const withSavepoints = await pgFloor({ ...floorOptions, savepoints: true });
  const ratio = floor.perSec / sqlite.authPerSec;
  log(`SQLite service ${fmt(sqlite.authPerSec)} auth/s (p99 ${sqlite.p99Ms} ms); PostgreSQL floor ${fmt(floor.perSec)} auth/s, ${fmt(withSavepoints.perSec)} with savepoints; floor / SQLite = ${fmt(ratio, 2)}`);
  process.stdout.write(`${JSON.stringify({ sqliteAuthPerSec: sqlite.authPerSec, sqliteP99Ms: sqlite.p99Ms, pgFloorAuthPerSec: Math.round(floor.perSec), pgFloorP99BatchMs: round(floor.p99BatchMs, 1), pgFloorSavepointsAuthPerSec: Math.round(withSavepoints.perSec), floorToSqlite: round(ratio, 2), batch: a.floorBatch, connections: a.floorConnections })}\n`);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.pgFloor) return floorRun(a);
  const warmSeconds = a.quick ? 1 : 3;
  const secrets = benchSecrets();
  const port = 38_000 + Math.floor(Math.random() * 1000);
  // The service runs as `npm start` runs it: the bundle, built once here.
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

  // A fresh database with N cards (and history); --reuse DIR keeps it (with the keys and a card
  // sample in DIR/manifest.json, synthetic data only) for the next run with the same DIR.
  const dir = a.reuse ?? mkdtempSync(join(tmpdir(), 'isc-bench-'));
  const pgTarget = a.db?.startsWith('postgres') ? await preparePostgres(a.db) : null;
  const cleanUp = async () => {
    if (!a.reuse) rmSync(dir, { recursive: true, force: true });
    await pgTarget?.drop();
  };
  const databaseUrl = pgTarget?.url ?? `sqlite:${resolve(dir, 'bench.db')}`;
  let seeded: SeedResult;
  const reused = a.reuse && !pgTarget ? readReused(dir) : null;
  if (reused) {
    Object.assign(secrets, reused.secrets);
    seeded = reused.seeded;
    // What the directory holds, whatever --cards and --history say (older manifests: as given).
    a.cards = reused.cards ?? a.cards;
    a.history = reused.history ?? a.history;
    log(`reusing ${dir}: ${seeded.rows} rows seeded earlier in ${seeded.seconds.toFixed(1)} s`);
  } else {
    log(`seeding ${a.cards} cards, ${a.history} past authorizations (${pgTarget ? 'PostgreSQL' : 'SQLite'})`);
    seeded = await seedDatabase({ databaseUrl, cards: a.cards, history: a.history, secrets, sync: a.sync, log });
    log(`  seeded ${seeded.rows} rows in ${seeded.seconds.toFixed(1)} s`);
    if (a.reuse) writeManifest(dir, secrets, seeded, { cards: a.cards, history: a.history });
  }

  const isoPort = port + 3;
  const service = await startService({ port, databaseUrl, secrets, sync: a.sync, env: a.iso ? { ISO8583_PORT: String(isoPort) } : {} });
  // The steady state is measured: the run starts once the service has read its file into the page
  // cache (SQLITE_PREWARM_MB=0 measures a cold cache; docs/performance.md, "A million cards").
  const prewarm = await waitForPrewarm(service.url);
  if (prewarm.mb > 0) log(`  database file read into the page cache: ${fmt(prewarm.mb)} MB in ${fmt(prewarm.seconds, 1)} s`);
  if (a.iso) {
    await isoRun(a, { service, isoPort, databaseUrl, cards: seeded.cards, secrets, warmSeconds });
    await cleanUp();
    return;
  }
  const workload = new Workload(seeded.cards);
  const load = { keyId: secrets.networkKeyId, secret: secrets.networkSecret, connections: a.connections };

  // Baseline (a) and the service are compared in alternating slices of the same run (ABBA order:
  // base, service, service, base, …), both servers up throughout, so that the host's drift weighs
  // on both alike. On this VM one 30 s sample of the bare route ranged 13,700–29,650 req/s within an
  // hour, and 14,302 against 23,526 before and after the service in one run: two samples taken a
  // minute apart compared the host's moments more than the two servers. --http-only drives the
  // service alone, in one piece, unless a reference runs beside it (startReference).
  const bare = a.httpOnly ? null : await startHttpBaseline(port + 1);
  const referenceCards = a.referenceCards ?? (a.cards > REFERENCE_CARDS ? REFERENCE_CARDS : 0);
  const reference = !pgTarget && referenceCards > 0 && a.cards > referenceCards ? await startReference(referenceCards, port + 2, secrets, a.sync) : null;
  // The same database without group commit, for a before/after of the same moments of the host.
  const pgOff = pgTarget && a.pgCompare ? await startService({ port: port + 4, databaseUrl, secrets, sync: a.sync, env: { PG_GROUP_COMMIT: '0' } }) : null;
  // The same service on SQLite, for PostgreSQL's ratio to it at the same moments of the host.
  const sqliteTwin = pgTarget && a.vsSqlite ? await startSqliteTwin(a, dir, secrets, port + 5) : null;
  const slices = a.httpOnly && !reference && !pgOff && !sqliteTwin ? 1 : a.quick ? 2 : SLICES;
  const sliceSeconds = a.seconds / slices;
  const others = [bare && 'bare hono route', reference && `the ${referenceCards}-card reference`, pgOff && 'the service with PG_GROUP_COMMIT=0', sqliteTwin && 'the service on SQLite'].filter(Boolean).join(' and ');
  log(!others ? `service: ${a.connections} connections, ${a.seconds} s, synchronous=${a.sync}`
    : `service and ${others}: ${a.connections} connections, ${slices} alternating slices of ${fmt(sliceSeconds, 1)} s each, synchronous=${a.sync}`);
  const serviceSide: Side = { url: service.url, workload, options: load, pid: service.proc.pid };
  const bareSide: Side | null = bare && { url: bare.child.url, workload: bare.workload, options: { ...bare.load, connections: a.connections } };
  const referenceSide: Side | null = reference && { url: reference.child.url, workload: reference.workload, options: load };
  const pgOffSide: Side | null = pgOff && { url: pgOff.url, workload: new Workload(seeded.cards), options: load, pid: pgOff.proc.pid };
  const sqliteSide: Side | null = sqliteTwin && { url: sqliteTwin.child.url, workload: new Workload(sqliteTwin.cards), options: load, pid: sqliteTwin.child.proc.pid };
  // The route first: route, service, reference, reference, service, route, …
  const sides = [bareSide, serviceSide, referenceSide, pgOffSide, sqliteSide].filter((side): side is Side => side !== null);
  await warmUp(sides, warmSeconds);

  const before = await (await fetch(`${service.url}/metrics`)).text();
  const readBefore = diskReadBytes(service.proc.pid!);
  const results = await alternate(sides, { slices, sliceSeconds });
  const resultOf = (side: Side | null) => side && results[sides.indexOf(side)];
  const serviceResult = resultOf(serviceSide)!;
  const bareResult = resultOf(bareSide);
  const referenceResult = resultOf(referenceSide);
  const pgOffResult = resultOf(pgOffSide);
  const sqliteResult = resultOf(sqliteSide);
  const serviceRuns = serviceResult.runs;
  const serviceSlices = serviceRuns.map(runRate);
  const bareSlices = bareResult?.runs.map(runRate) ?? [];
  const auth = pooled(service.url, a.connections, serviceRuns);
  const cpuUsPerAuth = (serviceResult.cpuSeconds * 1e6) / auth.requests;
  // Reads that missed the OS page cache during the measured run: 0 when the database is warm.
  const diskReadMb = (diskReadBytes(service.proc.pid!) - readBefore) / 2 ** 20;
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const rssMb = peakRssMb(service.proc.pid!);
  const httpBatch = batchMean(before, metrics);
  const holds = walRestartHolds(before, metrics);
  await stopChild(service);
  if (bare) await stopChild(bare.child);
  const ref = reference && referenceResult && pooled(reference.child.url, a.connections, referenceResult.runs);
  if (reference) {
    await stopChild(reference.child);
    rmSync(reference.dir, { recursive: true, force: true });
  }
  const off = pgOff && pgOffResult && pooled(pgOff.url, a.connections, pgOffResult.runs);
  if (pgOff) await stopChild(pgOff);
  const lite = sqliteTwin && sqliteResult && pooled(sqliteTwin.child.url, a.connections, sqliteResult.runs);
  if (sqliteTwin) await stopChild(sqliteTwin.child);
  const sqliteJson = lite ? { sqliteAuthPerSec: Math.round(lite.perSec), sqliteP50Ms: lite.p50Ms, sqliteP99Ms: lite.p99Ms, pgToSqlite: round(auth.perSec / lite.perSec, 3) } : {};
  const pgOffJson = off ? { pgGroupCommitOffAuthPerSec: Math.round(off.perSec), pgGroupCommitOffP50Ms: off.p50Ms, pgGroupCommitOffP99Ms: off.p99Ms } : {};
  const referenceJson = ref ? { referenceCards, referenceAuthPerSec: Math.round(ref.perSec), referenceP99Ms: ref.p99Ms, p99Ratio: round(auth.p99Ms / ref.p99Ms, 2) } : {};
  if (!bare || !bareResult) {
    // --http-only: the service alone (and its reference), for quick comparisons of one change.
    await cleanUp();
    process.stdout.write(`${JSON.stringify({ authPerSec: Math.round(auth.perSec), p50Ms: auth.p50Ms, p99Ms: auth.p99Ms, batch: round(httpBatch, 1), cpuUsPerAuth: Math.round(cpuUsPerAuth), diskReadMb: round(diskReadMb, 1), prewarmS: round(prewarm.seconds, 1), rssMb: round(rssMb, 1), non2xx: auth.non2xx, walHolds: holds.count, walHoldMeanMs: round(holds.meanMs, 1), ...referenceJson, ...pgOffJson, ...sqliteJson })}\n`);
    return;
  }
  const baseHttp = pooled(bare.child.url, a.connections, bareResult.runs);

  // Start-up on the existing (now larger) database.
  const again = await startService({ port, databaseUrl, secrets, sync: a.sync });
  await stopChild(again);

  // The engine in process, with the batching the HTTP run had; then the bare database.
  const inFlight = pgTarget ? a.connections : Math.max(1, Math.round(httpBatch));
  const engineSeconds = a.quick ? 4 : 15;
  log(`engine in process: ${inFlight} in flight, ${engineSeconds} s`);
  const engine = await engineRun(databaseUrl, secrets, seeded.cards, { seconds: engineSeconds, inFlight, sync: a.sync });
  log(`bare database: batch ${fmt(engine.meanBatch, 1)}, ${engineSeconds} s`);
  const baselineTx = pgTarget
    ? await barePostgres(a.db!, { seconds: engineSeconds, inFlight, poolSize: 10, accounts: Math.min(a.cards, 100_000) })
    : await bareSqlite({ seconds: engineSeconds, batch: engine.meanBatch, sync: a.sync, accounts: Math.min(a.cards, 100_000) });

  await cleanUp();

  const result = {
    authPerSec: Math.round(auth.perSec), baselineHttpPerSec: Math.round(baseHttp.perSec),
    httpRatio: round(auth.perSec / baseHttp.perSec, 3), p50Ms: auth.p50Ms, p99Ms: auth.p99Ms,
    engineAuthPerSec: Math.round(engine.perSec), baselineTxPerSec: Math.round(baselineTx),
    engineRatio: round(engine.perSec / baselineTx, 3), rssMb: round(rssMb, 1), cards: a.cards,
  };
  const rows: Array<[string, string]> = [
    ['database', pgTarget ? 'PostgreSQL (pool 10, transaction per request)' : `SQLite WAL, synchronous=${a.sync}, group commit`],
    ['cards / past authorizations', `${a.cards} / ${a.history} (seeded in ${seeded.seconds.toFixed(1)} s)`],
    ['connections / seconds', `${a.connections} / ${a.seconds}`],
    ['bare hono route', `${fmt(baseHttp.perSec)} req/s  p50 ${baseHttp.p50Ms} ms  p99 ${baseHttp.p99Ms} ms  (slices: ${bareSlices.map((r) => fmt(r)).join(' ')})`],
    ['authorizations over HTTP', `${fmt(auth.perSec)} auth/s  p50 ${auth.p50Ms} ms  p99 ${auth.p99Ms} ms  (non-2xx ${auth.non2xx}, errors ${auth.errors}; slices: ${serviceSlices.map((r) => fmt(r)).join(' ')})`],
    ['service CPU per authorization', `${fmt(cpuUsPerAuth)} µs (all its threads)`],
    ['httpRatio', fmt(result.httpRatio, 3)],
    ...(ref ? [
      [`${referenceCards} cards, same slices`, `${fmt(ref.perSec)} auth/s  p50 ${ref.p50Ms} ms  p99 ${ref.p99Ms} ms  (slices: ${referenceResult!.runs.map((r) => fmt(runRate(r))).join(' ')})`],
      [`p99 against ${referenceCards} cards`, `${fmt(auth.p99Ms / ref.p99Ms, 2)}× (target ≤ 1.5×)`],
    ] as Array<[string, string]> : []),
    ['mean requests per commit (HTTP)', fmt(httpBatch, 1)],
    ['WAL restart holds (HTTP)', `${holds.count}, ${fmt(holds.meanMs, 1)} ms each on average (SQLITE_WAL_RESTART_PAGES)`],
    ['disk reads during the run', `${fmt(diskReadMb, 1)} MB (page-cache misses)`],
    ['file read ahead before the run', `${fmt(prewarm.mb)} MB in ${fmt(prewarm.seconds, 1)} s (SQLITE_PREWARM_MB)`],
    ['engine in process', `${fmt(engine.perSec)} auth/s, ${inFlight} in flight, mean batch ${fmt(engine.meanBatch, 1)}`],
    ['bare database, same batching', `${fmt(baselineTx)} tx/s (one update + one insert each)`],
    ['engineRatio', fmt(result.engineRatio, 3)],
    ['service peak RSS', `${fmt(rssMb, 1)} MB`],
    ['ready (existing database)', readiness(service)],
    ['ready again after the run', readiness(again)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * --iso: the service over ISO 8583 and over HTTP, and the bare echo server, in the same alternating
 * slices; as many requests in flight over ISO as HTTP has connections, unless --iso-depth says.
 * Then the engine in process (no transport) with as many in flight: the ceiling either transport
 * could reach at that depth on this host.
 */
async function isoRun(a: Args, o: { service: Awaited<ReturnType<typeof startService>>; isoPort: number; databaseUrl: string; cards: SeededCard[]; secrets: Secrets; warmSeconds: number }) {
  const isoDepth = a.isoDepth ?? Math.max(1, Math.round(a.connections / a.isoConnections));
  const slices = a.quick ? 2 : SLICES;
  const sliceSeconds = a.seconds / slices;
  log(`echo server, ISO 8583 (${a.isoConnections} connections × ${isoDepth} in flight) and HTTP (${a.connections} connections): ${slices} alternating slices of ${fmt(sliceSeconds, 1)} s each, synchronous=${a.sync}`);
  const rssBefore = peakRssMb(o.service.proc.pid!);
  const r = await compareIsoHttp({
    service: o.service, isoPort: o.isoPort, echoPort: o.isoPort + 1, cards: o.cards, secrets: o.secrets,
    httpConnections: a.connections, isoConnections: a.isoConnections, isoDepth, slices, sliceSeconds, warmSeconds: o.warmSeconds,
  });
  const rssMb = Math.max(rssBefore, peakRssMb(o.service.proc.pid!));
  await stopChild(o.service);
  const engineInFlight = a.isoConnections * isoDepth;
  const engineSeconds = a.quick ? 4 : 15;
  log(`engine in process: ${engineInFlight} in flight, ${engineSeconds} s`);
  // CPU of this process over the engine's run (its start-up included: a few µs per authorization).
  const cpuBefore = process.cpuUsage();
  const engine = await engineRun(o.databaseUrl, o.secrets, o.cards, { seconds: engineSeconds, inFlight: engineInFlight, sync: a.sync });
  const engineCpu = process.cpuUsage(cpuBefore);
  const engineCpuUsPerAuth = (engineCpu.user + engineCpu.system) / engine.count;
  const result = {
    isoAuthPerSec: Math.round(r.iso.perSec), isoP50Ms: r.iso.p50Ms, isoP99Ms: r.iso.p99Ms,
    httpAuthPerSec: Math.round(r.http.perSec), httpP50Ms: r.http.p50Ms, httpP99Ms: r.http.p99Ms,
    echoMsgPerSec: Math.round(r.echo.perSec), echoP99Ms: r.echo.p99Ms,
    isoRatio: round(r.iso.perSec / r.http.perSec, 3), isoEchoRatio: round(r.iso.perSec / r.echo.perSec, 3),
    engineAuthPerSec: Math.round(engine.perSec), engineInFlight, isoEngineRatio: round(r.iso.perSec / engine.perSec, 3), httpEngineRatio: round(r.http.perSec / engine.perSec, 3),
    isoCpuUsPerAuth: Math.round(r.isoCpuUsPerAuth), httpCpuUsPerAuth: Math.round(r.httpCpuUsPerAuth), engineCpuUsPerAuth: Math.round(engineCpuUsPerAuth),
    isoBatch: round(r.isoBatch, 1), httpBatch: round(r.httpBatch, 1),
    isoErrors: r.iso.errors, isoApprovedPct: round((100 * r.iso.approved) / r.iso.answers, 1), httpNon2xx: r.http.non2xx, isoConnections: a.isoConnections, isoDepth, httpConnections: a.connections,
    rssMb: round(rssMb, 1), cards: a.cards,
  };
  const slicesOf = (xs: number[]) => xs.map((x) => fmt(x)).join(' ');
  const rows: Array<[string, string]> = [
    ['cards / past authorizations', `${a.cards} / ${a.history}`],
    ['bare TCP echo (same driver)', `${fmt(r.echo.perSec)} msg/s  p50 ${r.echo.p50Ms} ms  p99 ${r.echo.p99Ms} ms  (slices: ${slicesOf(r.slices.echo)})`],
    ['authorizations over ISO 8583', `${fmt(r.iso.perSec)} auth/s  p50 ${r.iso.p50Ms} ms  p99 ${r.iso.p99Ms} ms  (approved ${fmt(result.isoApprovedPct, 1)} %, fault codes ${r.iso.errors}; slices: ${slicesOf(r.slices.iso)})`],
    ['authorizations over HTTP', `${fmt(r.http.perSec)} auth/s  p50 ${r.http.p50Ms} ms  p99 ${r.http.p99Ms} ms  (non-2xx ${r.http.non2xx}, errors ${r.http.errors}; slices: ${slicesOf(r.slices.http)})`],
    ['engine in process (no transport)', `${fmt(engine.perSec)} auth/s, ${engineInFlight} in flight, mean batch ${fmt(engine.meanBatch, 1)}`],
    ['CPU per authorization', `ISO ${fmt(r.isoCpuUsPerAuth)} µs, HTTP ${fmt(r.httpCpuUsPerAuth)} µs (the service, all its threads); engine ${fmt(engineCpuUsPerAuth)} µs`],
    ['mean authorizations per commit', `ISO ${fmt(r.isoBatch, 1)}, HTTP ${fmt(r.httpBatch, 1)}`],
    ['isoRatio (ISO / HTTP)', `${fmt(result.isoRatio, 3)} (target ≥ 1.3; ISO p99 target ≤ 20 ms)`],
    ['ISO / engine, HTTP / engine', `${fmt(result.isoEngineRatio, 3)}, ${fmt(result.httpEngineRatio, 3)}`],
    ['ISO / echo', fmt(result.isoEchoRatio, 3)],
    ['service peak RSS', `${fmt(rssMb, 1)} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** main() to listening / process start to listening (modules included) / spawn to the ready line. */
function readiness(c: { readyMs: number; selfReported?: { readyMs: number; sinceProcessStartMs: number } }): string {
  return `${fmt(c.selfReported?.readyMs ?? NaN)} ms opening + listening, ${fmt(c.selfReported?.sinceProcessStartMs ?? NaN)} ms since process start, ${fmt(c.readyMs)} ms from spawn`;
}

function round(n: number, digits: number): number { const f = 10 ** digits; return Math.round(n * f) / f; }

/** Holds of the group commit for a WAL restart during the run (runtime/checkpointer.ts). */
function walRestartHolds(before: string, after: string): { count: number; meanMs: number } {
  const { count, sum } = histogramDelta(before, after, 'db_wal_restart_hold_seconds');
  return { count, meanMs: count > 0 ? (sum / count) * 1000 : NaN };
}

/** Mean batch size during the measured run (difference of two scrapes). */
function batchMean(before: string, after: string): number {
  const { count, sum } = histogramDelta(before, after, 'db_group_commit_batch_size');
  return count > 0 ? sum / count : histogramMean(after, 'db_group_commit_batch_size');
}

// A timeout's or Ctrl-C's signal ends the run through process.exit, so that the servers it started
// are stopped too (startChild).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(1));
main().catch((error) => { process.stderr.write(`${error instanceof Error ? error.stack : error}\n`); process.exit(1); });

/** The service on a fresh SQLite file in `dir` with as many cards as the PostgreSQL run (--vs-sqlite). */
async function startSqliteTwin(a: Args, dir: string, secrets: ReturnType<typeof benchSecrets>, port: number) {
  const databaseUrl = `sqlite:${resolve(dir, 'twin.db')}`;
  log(`seeding ${a.cards} cards on SQLite for the twin`);
  const seeded = await seedDatabase({ databaseUrl, cards: a.cards, history: a.history, secrets, sync: a.sync, log });
  const child = await startService({ port, databaseUrl, secrets, sync: a.sync });
  await waitForPrewarm(child.url);
  return { child, cards: seeded.cards };
}
