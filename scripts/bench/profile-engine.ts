// Ad-hoc: seeds a small SQLite database and runs the engine in process (for --cpu-prof).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineRun } from './engine.js';
import { seedDatabase } from '../seed.js';
import { benchSecrets } from './manifest.js';

const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-prof-'));
const databaseUrl = `sqlite:${join(dir, 'p.db')}`;
const seeded = await seedDatabase({ databaseUrl, cards: Number(process.argv[2] ?? 10000), history: 0, secrets, sync: 'FULL', log: () => {} });
const inFlight = Number(process.argv[3] ?? 24);
const r = await engineRun(databaseUrl, secrets, seeded.cards, { seconds: Number(process.argv[4] ?? 6), inFlight, sync: 'FULL' });
console.log(JSON.stringify(r));
