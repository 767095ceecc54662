// A --reuse directory of the bench (scripts/bench.ts): the seeded database (bench.db) and
// manifest.json, which keeps the keys it was seeded with and a sample of its cards (synthetic data
// only), so that later runs and the ad-hoc tools can drive it again; and the fresh keys a bench
// database is seeded with.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Secrets } from '../../src/config.js';
import type { SeedResult } from '../seed.js';

/** Fresh keys for a bench database (never a real deployment's). */
export function benchSecrets(): Secrets {
  return { adminApiKey: randomBytes(16).toString('hex'), networkKeyId: 'net_bench', networkSecret: randomBytes(32).toString('hex'), masterKey: randomBytes(32) };
}

/** `cards` and `history`: how many were seeded (directories seeded before they were kept: undefined). */
export interface Reused { databaseUrl: string; secrets: Secrets; seeded: SeedResult; cards?: number; history?: number }

/** The seeded database in `dir`, or null when `dir` holds none. */
export function readReused(dir: string): Reused | null {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return null;
  const m = JSON.parse(readFileSync(path, 'utf8'));
  return { databaseUrl: `sqlite:${join(dir, 'bench.db')}`, secrets: { ...m.secrets, masterKey: Buffer.from(m.secrets.masterKey, 'hex') }, seeded: m.seeded, cards: m.cards, history: m.history };
}

export function writeManifest(dir: string, secrets: Secrets, seeded: SeedResult, counts: { cards: number; history: number }): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ secrets: { ...secrets, masterKey: secrets.masterKey.toString('hex') }, seeded, ...counts }));
}
