// Ad-hoc: the authorization engine on PostgreSQL in process (no HTTP), with group commit off and
// with 1..N lanes, in alternating rounds on one seeded database, `inFlight` authorizations at once:
//   tsx scripts/bench/pg-lanes.ts --db postgres://postgres@127.0.0.1:5432/test [--lanes 0,2,4,8] [--seconds 3] [--rounds 2]
// Lanes 0 is a transaction per request (PG_GROUP_COMMIT=0). Prints one JSON line per setting.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { configurePgGroupCommit, pgGroupCommitFor } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { authorize } from '../../src/service/network/authorize.js';
import { seedDatabase } from '../seed.js';
import { benchSecrets } from './manifest.js';
import { Workload } from './workload.js';

const { values } = parseArgs({ options: {
  db: { type: 'string' }, lanes: { type: 'string', default: '0,2,4,8' }, seconds: { type: 'string', default: '3' },
  rounds: { type: 'string', default: '2' }, 'in-flight': { type: 'string', default: '64' }, pool: { type: 'string', default: '10' },
  cards: { type: 'string', default: '5000' },
} });

async function main() {
  const url = values.db!;
  const schema = `lanes_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const secrets = benchSecrets();
  try {
    const seeded = await seedDatabase({ databaseUrl: u.toString(), cards: Number(values.cards), history: 0, secrets, sync: 'FULL' });
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: u.toString(), DEMO: '0', PG_POOL_SIZE: values.pool });
    const deps = await startServices({ config, secrets, logger: pino({ level: 'silent' }), metrics: false });
    const workload = new Workload(seeded.cards);
    const settings = values.lanes!.split(',').map(Number);
    const totals = new Map<number, { count: number; seconds: number; batches: number; units: number; retries: number; latencies: number[] }>();
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const lanes of settings) {
        configurePgGroupCommit(deps.handle, lanes > 0, { lanes: Math.max(1, lanes) });
        const t = totals.get(lanes) ?? { count: 0, seconds: 0, batches: 0, units: 0, retries: 0, latencies: [] };
        totals.set(lanes, t);
        pgGroupCommitFor(deps.handle)?.observe((s) => { t.batches++; t.units += s.size; t.retries += s.retries; });
        const until = performance.now() + Number(values.seconds) * 1000;
        const started = performance.now();
        const loop = async () => {
          while (performance.now() < until) {
            const request = workload.next() as unknown as AuthorizationRequest;
            const begun = performance.now();
            await runNetworkVerb(deps, (trx) => authorize(trx, deps, { request, networkClient: secrets.networkKeyId, sourceIp: '127.0.0.1' }), request.pan);
            t.latencies.push(performance.now() - begun);
            t.count++;
          }
        };
        await Promise.all(Array.from({ length: Number(values['in-flight']) }, loop));
        t.seconds += (performance.now() - started) / 1000;
      }
    }
    for (const [lanes, t] of totals) {
      const sorted = t.latencies.sort((a, b) => a - b);
      process.stdout.write(`${JSON.stringify({ lanes, perSec: Math.round(t.count / t.seconds), p99Ms: Math.round(sorted[Math.floor(sorted.length * 0.99)]), meanBatch: t.batches ? +(t.units / t.batches).toFixed(1) : 1, retries: t.retries })}\n`);
    }
    await deps.handle.close();
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

main().catch((error) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exit(1); });
