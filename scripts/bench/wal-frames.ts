// Ad-hoc: which b-trees a group commit writes. Runs the engine in process (as profile-engine.ts),
// copies the WAL file once a second, then reads the copies' frame headers: frames per commit, and
// per table or index (pages mapped with SQLite's dbstat table after the run).
//   npx tsx scripts/bench/wal-frames.ts [inFlight=20] [cards=10000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seedDatabase } from '../seed.js';
import { engineRun } from './engine.js';
import { benchSecrets } from './manifest.js';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

const secrets = benchSecrets();
const dir = mkdtempSync(join(tmpdir(), 'isc-wal-'));
const file = join(dir, 'p.db');
const seeded = await seedDatabase({ databaseUrl: `sqlite:${file}`, cards: Number(process.argv[3] ?? 10_000), history: 0, secrets, sync: 'FULL', log: () => {} });
const copies: Buffer[] = [];
const timer = setInterval(() => { try { copies.push(readFileSync(`${file}-wal`)); } catch { /* between checkpoints */ } }, 1000);
const run = await engineRun(`sqlite:${file}`, secrets, seeded.cards, { seconds: 6, inFlight: Number(process.argv[2] ?? 20), sync: 'FULL' });
clearInterval(timer);
console.log(`${Math.round(run.perSec)} auth/s in process, mean batch ${run.meanBatch.toFixed(1)}`);

const db = new Database(file, { readonly: true });
const owner = new Map<number, string>();
for (const row of db.prepare('select name, pageno from dbstat').iterate() as Iterable<{ name: string; pageno: number }>) owner.set(row.pageno, row.name);
db.close();

// A frame: page number, database size after commit (non-zero on a commit's last frame), the WAL
// header's two salts, two checksums; then the page. The copy ends where the salts stop matching.
for (const wal of copies.slice(2, 4)) {
  const pageSize = wal.readUInt32BE(8);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const perObject = new Map<string, number>();
  let commits = 0;
  let frames = 0;
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length; at += FRAME_HEADER_BYTES + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    const name = owner.get(wal.readUInt32BE(at)) ?? '?';
    perObject.set(name, (perObject.get(name) ?? 0) + 1);
    frames++;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  if (!commits) continue;
  console.log(`${commits} commits, ${(frames / commits).toFixed(1)} frames per commit`);
  for (const [name, n] of [...perObject].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / commits).toFixed(2).padStart(6)}  ${name}`);
}
rmSync(dir, { recursive: true, force: true });
