// Ad-hoc: what a long report costs the network. The service is driven in alternating slices (ABBA):
// authorizations alone, then authorizations while staff run GET /v1/admin/ledger/check back to back
// (the report thread, src/runtime/report-thread.ts: its read transaction pins the WAL, which cannot start
// over until the check ends). Prints each side's pooled p99, the checks' durations, and the largest
// WAL file seen on each side.
//   npx tsx scripts/bench/report-under-load.ts [--reuse DIR | --cards N] [--slices 4] [--slice-seconds 15]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RawResult } from 'autocannon';
import { seedDatabase } from '../seed.js';
import { driveRun, pooled, warmUp } from './load.js';
import { benchSecrets, readReused } from './manifest.js';
import { startService, stopChild, waitForPrewarm } from './service.js';
import { Workload } from './workload.js';

const { values } = parseArgs({ options: {
  reuse: { type: 'string' }, cards: { type: 'string', default: '10000' },
  slices: { type: 'string', default: '4' }, 'slice-seconds': { type: 'string', default: '15' },
} });
const slices = Number(values.slices);
if (!(slices > 0 && slices % 2 === 0)) throw new Error('--slices: an even number (the sides alternate ABBA)');
const sliceSeconds = Number(values['slice-seconds']);
const connections = 64;

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const dir = values.reuse ?? mkdtempSync(join(tmpdir(), 'isc-report-load-'));
const databaseFile = resolve(dir, 'bench.db');
const reused = values.reuse ? readReused(dir) : null;
const secrets = reused?.secrets ?? benchSecrets();
const seeded = reused?.seeded ?? await seedDatabase({ databaseUrl: `sqlite:${databaseFile}`, cards: Number(values.cards), history: 0, secrets, sync: 'FULL', log: () => {} });
// The service is stopped whatever happens below (a failed check included).
const service = await startService({ port: 39_000 + Math.floor(Math.random() * 500), databaseUrl: `sqlite:${databaseFile}`, secrets, sync: 'FULL' });
const runs: Record<'alone' | 'checking', RawResult[]> = { alone: [], checking: [] };
const walPeak = { alone: 0, checking: 0 };
const slicePeaks: string[] = [];
const checkMs: number[] = [];
try {
  await waitForPrewarm(service.url);
  const side = { url: service.url, workload: new Workload(seeded.cards), options: { keyId: secrets.networkKeyId, secret: secrets.networkSecret, connections } };
  await warmUp([side], 3);

  const walMb = () => (existsSync(`${databaseFile}-wal`) ? statSync(`${databaseFile}-wal`).size / 2 ** 20 : 0);
  const checkOnce = async () => {
    const started = performance.now();
    const res = await fetch(`${service.url}/v1/admin/ledger/check`, { headers: { authorization: `Bearer ${secrets.adminApiKey}` } });
    if (res.status !== 200) throw new Error(`ledger check: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - started;
  };

  for (let i = 0; i < slices; i++) {
    // ABBA: alone, checking, checking, alone, …
    const kind = (i % 4 === 0 || i % 4 === 3) ? 'alone' : 'checking';
    let sliceOver = false;
    let slicePeak = 0;
    const sampler = setInterval(() => { slicePeak = Math.max(slicePeak, walMb()); }, 100);
    const checks = kind === 'checking' ? (async () => { while (!sliceOver) checkMs.push(await checkOnce()); })() : Promise.resolve();
    runs[kind].push(await driveRun(service.url, side.workload, { ...side.options, seconds: sliceSeconds }));
    sliceOver = true;
    // The next slice starts with no check under way.
    await checks;
    clearInterval(sampler);
    walPeak[kind] = Math.max(walPeak[kind], slicePeak);
    slicePeaks.push(`${kind} ${slicePeak.toFixed(0)} (at its end ${walMb().toFixed(0)})`);
  }
} finally {
  await stopChild(service);
}
if (!values.reuse) rmSync(dir, { recursive: true, force: true });

const alone = pooled(service.url, connections, runs.alone);
const checking = pooled(service.url, connections, runs.checking);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`${seeded.cards.length} sampled cards${reused?.cards ? ` of ${fmt(reused.cards)}` : ''}, ${slices} slices of ${sliceSeconds} s, ${connections} connections, synchronous=FULL`);
console.log(`alone:    ${fmt(alone.perSec)} auth/s, p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms, largest WAL ${walPeak.alone.toFixed(1)} MB, non-2xx ${alone.non2xx}`);
console.log(`checking: ${fmt(checking.perSec)} auth/s, p50 ${checking.p50Ms} ms, p99 ${checking.p99Ms} ms, largest WAL ${walPeak.checking.toFixed(1)} MB, non-2xx ${checking.non2xx}`);
console.log(`ledger checks: ${checkMs.length}, ${checkMs.map((ms) => fmt(ms)).join(', ')} ms`);
console.log(`WAL file's largest size (MB) in each slice, in order (a check's slice lasts until the check ends): ${slicePeaks.join(', ')}`);
console.log(JSON.stringify({ aloneP99Ms: alone.p99Ms, checkingP99Ms: checking.p99Ms, p99Ratio: Number((checking.p99Ms / alone.p99Ms).toFixed(2)),
  aloneAuthPerSec: Math.round(alone.perSec), checkingAuthPerSec: Math.round(checking.perSec), checks: checkMs.length, walPeakMb: Number(walPeak.checking.toFixed(1)) }));
