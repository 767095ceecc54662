// Two versions of the code over HTTP in one run: A is an earlier commit, B this checkout. Each is
// built and seeded by its own scripts (their schemas may differ), then both are driven in
// alternating slices (ABBA order) as ab-http.ts drives two settings, so the host's drift weighs on
// both alike. This is how a change to the schema or the write path is measured against its parent.
//
//   npx tsx scripts/bench/ab-code.ts <git revision> [slices per side, 10] [seconds per slice, 5] [cards, 10000] [history, 0]
//   e.g. npx tsx scripts/bench/ab-code.ts HEAD~3 10 5 1000000 5000000
// AB_DATABASE_URL=postgres://… runs both on PostgreSQL instead, each in a schema of its own there.
// AB_B_ENV='NAME=VALUE …' sets those in B's environment only (a setting this checkout adds).
// AB_B_PG_HOST=<socket directory> has B's service connect to PostgreSQL through a Unix socket.
//
// The earlier commit is checked out with `git worktree` in a temporary directory, sharing this
// checkout's node_modules; both are removed afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedDatabase } from '../seed.js';
import { AB_CONNECTIONS, compareTwo, sliceArgs } from './ab-report.js';
import { benchSecrets } from './manifest.js';
import { startService, stopChild, waitForPrewarm, type Child } from './service.js';
import { Workload } from './workload.js';

const [revision, slicesArg, secondsArg, cardsArg, historyArg] = process.argv.slice(2);
if (!revision) throw new Error('usage: ab-code.ts <git revision> [slices per side] [seconds per slice] [cards] [history]');
const { slices, sliceSeconds } = sliceArgs(slicesArg, secondsArg);
const cards = Number(cardsArg ?? 10_000);
const history = Number(historyArg ?? 0);
const connections = AB_CONNECTIONS;

const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-ab-code-'));
const earlier = join(dir, 'earlier');
const here = resolve('.');
execFileSync('git', ['worktree', 'add', '--detach', earlier, revision], { stdio: 'inherit' });
const services: Child[] = [];
const pgUrl = process.env.AB_DATABASE_URL;
const schemas: string[] = [];
/** A fresh schema in AB_DATABASE_URL's database, and the URL that works in it. */
async function pgSchema(side: string): Promise<string> {
  const schema = `ab_${side}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try { await client.query(`create schema ${schema}`); } finally { await client.end(); }
  schemas.push(schema);
  const u = new URL(pgUrl!);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
function withHost(url: string, host: string): string {
  const u = new URL(url);
  u.searchParams.set('host', host);
  return u.toString();
}
try {
  symlinkSync(join(here, 'node_modules'), join(earlier, 'node_modules'));
  for (const root of [earlier, here]) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const { seedDatabase: seedEarlier } = await import(join(earlier, 'scripts/seed.ts')) as { seedDatabase: typeof seedDatabase };
  const seed = { cards, history, secrets, sync: 'FULL' as const, log: (l: string) => console.log(l) };
  console.log(`seeding A (${revision}) and B (this checkout): ${cards} cards, ${history} past authorizations each`);
  const [urlA, urlB] = pgUrl ? [await pgSchema('a'), await pgSchema('b')] : [`sqlite:${join(dir, 'a.db')}`, `sqlite:${join(dir, 'b.db')}`];
  // AB_B_PG_HOST=/var/run/postgresql: B's service reaches the same server through that socket directory.
  const serviceUrlB = pgUrl && process.env.AB_B_PG_HOST ? withHost(urlB, process.env.AB_B_PG_HOST) : urlB;
  const seededA = await seedEarlier({ ...seed, databaseUrl: urlA });
  const seededB = await seedDatabase({ ...seed, databaseUrl: urlB });
  const port = 39_000 + Math.floor(Math.random() * 900);
  const env = { SQLITE_CACHE_MB: process.env.SQLITE_CACHE_MB ?? '32' };
  services.push(await startService({ port, databaseUrl: urlA, secrets, sync: 'FULL', env, script: join(earlier, 'dist/main.mjs') }));
  const envB = Object.fromEntries((process.env.AB_B_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
  services.push(await startService({ port: port + 1, databaseUrl: serviceUrlB, secrets, sync: 'FULL', env: { ...env, ...envB } }));
  for (const s of services) await waitForPrewarm(s.url);
  const load = { keyId: secrets.networkKeyId, secret: secrets.networkSecret, connections };
  const [a, b] = [seededA, seededB].map((seeded, k) => ({ url: services[k].url, workload: new Workload(seeded.cards), options: load, pid: services[k].proc.pid }));
  await compareTwo([a, b], [`A (${revision})`, 'B (this checkout)'], { slices, sliceSeconds, connections });
} finally {
  for (const s of services) await stopChild(s);
  execFileSync('git', ['worktree', 'remove', '--force', earlier], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  if (schemas.length) {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}
