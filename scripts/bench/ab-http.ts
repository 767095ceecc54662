// Two variants of the service over HTTP in one run: A as configured, B with one setting changed,
// each on its own copy of one seeded database, driven in alternating slices (ABBA order) so that
// the host's drift weighs on both alike. Separate `--http-only` runs of the same code have differed
// by 10–25 % a minute apart on these VMs; a change worth a few percent shows only this way.
//
//   npx tsx scripts/bench/ab-http.ts NAME=VALUE [slices per side, 10] [seconds per slice, 5] [cards, 10000]
//   e.g. npx tsx scripts/bench/ab-http.ts SQLITE_CHECKPOINT_NICE=0
//
// The setting reaches B's environment only; code variants can read an environment variable
// temporarily for the comparison. Prints both pooled results, each slice, and B against A.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDatabase } from '../seed.js';
import { AB_CONNECTIONS, compareTwo, sliceArgs } from './ab-report.js';
import { startService, stopChild, waitForPrewarm, type Child } from './service.js';
import { Workload } from './workload.js';
import { benchSecrets } from './manifest.js';

const [setting, slicesArg, secondsArg, cardsArg] = process.argv.slice(2);
const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(setting ?? '');
if (!match) throw new Error('usage: ab-http.ts NAME=VALUE [slices per side] [seconds per slice] [cards]');
const { slices, sliceSeconds } = sliceArgs(slicesArg, secondsArg);
const connections = AB_CONNECTIONS;

const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-ab-http-'));
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const seeded = await seedDatabase({ databaseUrl: `sqlite:${join(dir, 'a.db')}`, cards: Number(cardsArg ?? 10_000), history: 0, secrets, sync: 'FULL', log: () => {} });
copyFileSync(join(dir, 'a.db'), join(dir, 'b.db'));

interface Variant { name: string; service: Child; workload: Workload }
const port = 39_000 + Math.floor(Math.random() * 900);
const variants: Variant[] = [];
const load = { keyId: secrets.networkKeyId, secret: secrets.networkSecret, connections };
try {
  for (const [i, name] of ['A', 'B'].entries()) {
    const service = await startService({ port: port + i, databaseUrl: `sqlite:${join(dir, `${name.toLowerCase()}.db`)}`, secrets, sync: 'FULL', env: name === 'B' ? { [match[1]]: match[2] } : {} });
    variants.push({ name, service, workload: new Workload(seeded.cards) });
    await waitForPrewarm(service.url);
  }
  const sides = variants.map((v) => ({ url: v.service.url, workload: v.workload, options: load, pid: v.service.proc.pid }));
  await compareTwo([sides[0], sides[1]], ['A (as configured)', `B (${setting})`], { slices, sliceSeconds, connections });
} finally {
  for (const v of variants) await stopChild(v.service);
  rmSync(dir, { recursive: true, force: true });
}
