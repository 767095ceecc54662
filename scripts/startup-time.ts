// Start-up time on an existing database (docs/performance.md, "Start-up"): builds the bundle,
// seeds a SQLite file once, then starts the service the way `npm start` does (node dist/main.mjs) several times and reports,
// per start, spawn -> ready line, process start -> listening and main() -> listening.
//
//   npm run bench:startup                  10 starts of the bundle
//   npm run bench:startup -- --runs 20 --tsx   the same, plus as many from the sources through tsx
//
// The last line is one JSON object with min / median / max of each figure.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Secrets } from '../src/config.js';
import { startChild, stopChild } from './bench/service.js';
import { seedDatabase } from './seed.js';

interface Start { spawnMs: number; processMs: number; mainMs: number }

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1] || 10);
const withTsx = argv.includes('--tsx');

const secrets: Secrets = { adminApiKey: randomBytes(16).toString('hex'), networkKeyId: 'net_startup', networkSecret: randomBytes(32).toString('hex'), masterKey: randomBytes(32) };
const readyLine = (l: string) => {
  try {
    const j = JSON.parse(l);
    return j.msg === 'ready' ? { readyMs: Number(j.readyMs), sinceProcessStartMs: Number(j.sinceProcessStartMs) } : false;
  } catch { return false; }
};

async function measure(script: string, env: Record<string, string>, port: number): Promise<Start[]> {
  const starts: Start[] = [];
  for (let i = 0; i < runs; i++) {
    const child = await startChild(script, [], env, port, readyLine);
    starts.push({ spawnMs: child.readyMs, processMs: child.selfReported!.sinceProcessStartMs, mainMs: child.selfReported!.readyMs });
    const code = await stopChild(child);
    if (code !== 0) throw new Error(`${script} exited ${code} after SIGTERM`);
  }
  return starts;
}

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { min: Math.round(s[0]), median: Math.round(s[Math.floor(s.length / 2)]), max: Math.round(s[s.length - 1]) };
}

function report(label: string, starts: Start[]) {
  const f = (k: keyof Start) => { const s = summary(starts.map((x) => x[k])); return `${s.min} / ${s.median} / ${s.max}`; };
  process.stderr.write(`${label}: ${runs} starts, ms min / median / max\n`);
  process.stderr.write(`  spawn -> ready line          ${f('spawnMs')}\n`);
  process.stderr.write(`  process start -> listening   ${f('processMs')}\n`);
  process.stderr.write(`  main() -> listening          ${f('mainMs')}\n`);
  return { spawnToReadyMs: summary(starts.map((x) => x.spawnMs)), processStartToReadyMs: summary(starts.map((x) => x.processMs)), mainToReadyMs: summary(starts.map((x) => x.mainMs)) };
}

async function main() {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'isc-startup-'));
  try {
    const databaseUrl = `sqlite:${join(dir, 'cards.db')}`;
    await seedDatabase({ databaseUrl, cards: 1_000, history: 0, secrets });
    const port = 39_000 + Math.floor(Math.random() * 1000);
    const env = {
      NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DEMO: '0', LOG_LEVEL: 'info', ISO8583_PORT: '0',
      ADMIN_API_KEY: secrets.adminApiKey, NETWORK_KEY_ID: secrets.networkKeyId, NETWORK_SECRET: secrets.networkSecret,
      MASTER_KEY: secrets.masterKey.toString('hex'),
    };
    const result: Record<string, unknown> = { runs, bundle: report('bundle (npm start)', await measure('dist/main.mjs', env, port)) };
    if (withTsx) result.tsx = report('sources through tsx', await measure('src/main.ts', env, port));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
