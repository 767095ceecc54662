// Ad-hoc: the engine in process (as profile-engine.ts) with every SQLite statement timed, to see
// which statements an authorization pays for. Prints µs per authorization and per call, worst first.
//   npx tsx scripts/bench/sql-time.ts [cards=10000 | DIR of a --reuse bench] [inFlight=22] [seconds=6]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeededCard } from '../seed.js';
import { benchSecrets, readReused } from './manifest.js';

const stats = new Map<string, { calls: number; ns: bigint }>();
function timed<F extends (...args: never[]) => unknown>(label: (self: never, args: unknown[]) => string, fn: F): F {
  return function (this: never, ...args: never[]) {
    const started = process.hrtime.bigint();
    try { return fn.apply(this, args); } finally {
      const key = label(this, args);
      const s = stats.get(key) ?? { calls: 0, ns: 0n };
      s.calls++; s.ns += process.hrtime.bigint() - started;
      stats.set(key, s);
    }
  } as F;
}
// Patch the prototypes before any connection opens (better-sqlite3 shares them).
const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('select 1'));
for (const m of ['run', 'get', 'all']) statementProto[m] = timed((s: { source: string }) => s.source, statementProto[m]);
const databaseProto = Object.getPrototypeOf(probe);
databaseProto.exec = timed((_s, args) => `exec: ${String(args[0])}`, databaseProto.exec);
probe.close();

const { engineRun } = await import('./engine.js');
const { seedDatabase } = await import('../seed.js');
const source = process.argv[2] ?? '10000';
const reused = readReused(source);
let secrets = benchSecrets();
const dir = reused ? source : mkdtempSync(join(tmpdir(), 'isc-sqltime-'));
try {
  let databaseUrl: string;
  let seeded: { cards: SeededCard[] };
  if (reused) {
    ({ secrets, databaseUrl, seeded } = reused);
  } else {
    databaseUrl = `sqlite:${join(dir, 'p.db')}`;
    seeded = await seedDatabase({ databaseUrl, cards: Number(source), history: 0, secrets, sync: 'FULL', log: () => {} });
  }
  stats.clear();
  const r = await engineRun(databaseUrl, secrets, seeded.cards, { seconds: Number(process.argv[4] ?? 6), inFlight: Number(process.argv[3] ?? 22), sync: 'FULL' });
  console.log(`${Math.round(r.perSec)} auth/s in process, mean batch ${r.meanBatch.toFixed(1)}, ${r.count} authorizations`);
  let total = 0;
  for (const [sql, s] of [...stats].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, 25)) {
    const perAuth = Number(s.ns) / 1e3 / r.count;
    total += perAuth;
    console.log(`${perAuth.toFixed(1).padStart(6)} µs/auth ${(Number(s.ns) / 1e3 / s.calls).toFixed(1).padStart(7)} µs/call ${String(s.calls).padStart(7)} calls  ${sql.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  console.log(`${total.toFixed(1).padStart(6)} µs/auth in SQLite (top 25 statements)`);
} finally {
  if (!reused) rmSync(dir, { recursive: true, force: true });
}
