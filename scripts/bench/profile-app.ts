// Ad-hoc: the authorization route through app.fetch in process (no sockets), to split HTTP-layer
// cost from engine cost. Usage: tsx scripts/bench/profile-app.ts [cards] [inFlight] [seconds]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { seedDatabase } from '../seed.js';
import { AUTH_PATH, signedHeaders, Workload } from './workload.js';
import { benchSecrets } from './manifest.js';

const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-prof-'));
const databaseUrl = `sqlite:${join(dir, 'p.db')}`;
const seeded = await seedDatabase({ databaseUrl, cards: Number(process.argv[2] ?? 10000), history: 0, secrets, sync: 'FULL', log: () => {} });
const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: databaseUrl, SQLITE_SYNCHRONOUS: 'FULL', DEMO: '0' });
const deps = await startServices({ config, secrets, logger: pino({ level: 'info' }, pino.destination('/dev/null')), metrics: true });
const app = createApp(deps);
const workload = new Workload(seeded.cards);
const inFlight = Number(process.argv[3] ?? 20);
const until = performance.now() + Number(process.argv[4] ?? 6) * 1000;
let count = 0;
const started = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: inFlight }, async () => {
  while (performance.now() < until) {
    const raw = JSON.stringify(workload.next());
    const res = await app.request(AUTH_PATH, { method: 'POST', body: raw, headers: signedHeaders(secrets.networkKeyId, secrets.networkSecret, raw) });
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.text();
    count++;
  }
}));
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ perSec: count / ((performance.now() - started) / 1000), cpuUsPerAuth: (cpu.user + cpu.system) / count }));
await deps.handle.close();
