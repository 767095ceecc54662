// Ad-hoc: the service (the bundle, a process of its own) driven over ISO 8583 alone, for
// `node --cpu-prof` on the service or to try one depth quickly. Seeds a fresh database, runs
// `seconds` after a 2 s warm-up, prints ISO auth/s, p50, p90, p99, p99.9, max and the service's
// CPU per authorization, then how the slow answers fall in time: per 1,000 answers in arrival
// order, the slowest and how many took over 20 ms. The bundle must be built (npm run build).
//   BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx scripts/bench/iso-profile.ts [cards] [connections] [depth] [seconds]
// ISO_PROFILE_ENV='{"NAME":"value"}' adds settings to the service's environment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedDatabase } from '../seed.js';
import { IsoLoad, pooledIso } from './iso-load.js';
import { benchSecrets } from './manifest.js';
import { cpuSeconds, startService, stopChild } from './service.js';
import { isoAcquirerId, Workload } from './workload.js';

const [cards, connections, depth, seconds] = [10_000, 4, 16, 10].map((d, i) => Number(process.argv[2 + i] ?? d));
const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-iso-prof-'));
const databaseUrl = `sqlite:${resolve(dir, 'bench.db')}`;
const seeded = await seedDatabase({ databaseUrl, cards, history: 0, secrets, sync: 'FULL', log: () => {} });
const port = 4100 + Math.floor(Math.random() * 800);
// ISO_PROFILE_SCRIPT: another build's bundle (an earlier commit's dist/main.mjs), to compare two versions.
const extraEnv = JSON.parse(process.env.ISO_PROFILE_ENV ?? '{}') as Record<string, string>;
const service = await startService({ port, databaseUrl, secrets, sync: 'FULL', env: { ISO8583_PORT: String(port + 1), ...extraEnv }, script: process.env.ISO_PROFILE_SCRIPT });
try {
  const load = await IsoLoad.open({
    port: port + 1, connections, depth, macSecret: secrets.networkSecret,
    signOn: { keyId: secrets.networkKeyId, secret: secrets.networkSecret },
  }, new Workload(seeded.cards, isoAcquirerId()));
  await load.run(2);
  const before = cpuSeconds(service.proc.pid!);
  const run = await load.run(seconds);
  const cpu = cpuSeconds(service.proc.pid!) - before;
  load.close();
  const r = pooledIso([run]);
  const sorted = Float64Array.from(run.latenciesMs).sort();
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10;
  console.log(JSON.stringify({ connections, depth, isoAuthPerSec: Math.round(r.perSec), p50Ms: r.p50Ms, p90Ms: at(0.9), p99Ms: r.p99Ms, p999Ms: at(0.999), maxMs: at(1), cpuUsPerAuth: Math.round((cpu * 1e6) / r.answers), errors: r.errors }));
  const windows: string[] = [];
  for (let i = 0; i < run.latenciesMs.length; i += 1000) {
    const w = run.latenciesMs.slice(i, i + 1000);
    windows.push(`${Math.round(Math.max(...w))}/${w.filter((ms) => ms > 20).length}`);
  }
  console.log(`per 1,000 answers, slowest ms / answers over 20 ms: ${windows.join(' ')}`);
} finally {
  await stopChild(service);
  rmSync(dir, { recursive: true, force: true });
}
