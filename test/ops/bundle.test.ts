// `npm start` runs the bundled service (scripts/build.mjs -> dist/main.mjs), not the TypeScript
// sources the other tests import. This runs exactly what package.json's prestart and start run and
// checks the bundle does the real work: the files it reads from disk (schema.sql, web assets), the
// checkpoint worker, the whole authorization path, the quick start's printout and a clean SIGTERM.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type SeededCard } from '../../scripts/seed.js';
import { signedHeaders } from '../../scripts/bench/workload.js';
import type { Secrets } from '../../src/config.js';
import { readyPort, spawnWatched, type Watched } from '../support/child-server.js';

const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;

/** "[VAR=… ][exec] node --flag file.mjs" from package.json, as arguments for this node binary. */
function nodeArgs(script: string): string[] {
  const [command, ...args] = script.replace(/^(\w+=\S+ )*/, '').replace(/^exec /, '').split(' ');
  expect(command).toBe('node');
  return args;
}

const secrets: Secrets = { adminApiKey: 'a'.repeat(32), networkKeyId: 'net_bundle', networkSecret: 's'.repeat(32), masterKey: randomBytes(32) };
let dir: string;
let card: SeededCard;

beforeAll(async () => {
  execFileSync(process.execPath, nodeArgs(scripts.prestart), { stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'isc-bundle-'));
  const seeded = await seedDatabase({ databaseUrl: `sqlite:${join(dir, 'seeded.db')}`, cards: 1, history: 0, secrets });
  card = seeded.cards[0];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Server extends Watched { url: string }

async function startBundle(env: Record<string, string>): Promise<Server> {
  // Only what the test sets: no keys or NODE_ENV inherited from the runner's environment.
  const w = spawnWatched(process.execPath, nodeArgs(scripts.start), { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ISO8583_PORT: '0', ...env });
  const port = await readyPort(w);
  if (port === null) throw new Error(`the bundle exited before ready: ${w.output()}`);
  return { ...w, url: `http://127.0.0.1:${port}` };
}

async function stop(server: Server): Promise<number | null> {
  server.proc.kill('SIGTERM');
  return server.exit;
}

function purchase(stan: string): string {
  return JSON.stringify({
    mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000', amount: 1_000,
    currency: '414', transmissionTime: new Date().toISOString(), stan, rrn: `633000${stan}`, mcc: '5732',
    posEntryMode: '812', posConditionCode: '59', acquirerId: '412345', merchantId: 'M-1', merchantName: 'Shop', merchantCountry: 'KW',
  });
}

describe('the bundled service (npm start)', () => {
  it.each([['main', '000201'], ['worker', '000202']])('serves an existing database: health, readiness, assets, pages, an approval (authorizations on the %s thread); SIGTERM exits 0', async (thread, stan) => {
    const server = await startBundle({
      AUTHORIZATION_THREAD: thread,
      NODE_ENV: 'production', DEMO: '0', DATABASE_URL: `sqlite:${join(dir, 'seeded.db')}`, ADMIN_API_KEY: secrets.adminApiKey,
      NETWORK_KEY_ID: secrets.networkKeyId, NETWORK_SECRET: secrets.networkSecret, MASTER_KEY: secrets.masterKey.toString('hex'),
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'sqlite' });
      // Read from src/web/assets at start, found from the bundle's own location (src/root.ts).
      const css = await fetch(`${server.url}/assets/app.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toBe(readFileSync('src/web/assets/app.css', 'utf8'));
      const login = await fetch(`${server.url}/login?lang=ar`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('dir="rtl"');

      const raw = purchase(stan);
      const auth = await fetch(`${server.url}/v1/network/authorizations`, {
        method: 'POST', headers: signedHeaders(secrets.networkKeyId, secrets.networkSecret, raw), body: raw,
      });
      expect(auth.status).toBe(200);
      expect(await auth.json()).toMatchObject({ responseCode: '00', approved: true });
      // The ledger check runs on the report thread, from the bundle's dist/report-thread-main.mjs.
      const check = await fetch(`${server.url}/v1/admin/ledger/check`, { headers: { authorization: `Bearer ${secrets.adminApiKey}` } });
      expect(check.status).toBe(200);
      expect(await check.json()).toMatchObject({ ok: true, differences: [] });
    } finally {
      expect(await stop(server)).toBe(0);
    }
    expect(server.output()).toContain('"msg":"stopped"');
    expect(server.output().includes('run on a worker thread')).toBe(thread === 'worker');
    // Nothing logged at error level (50) or above, the checkpoint worker's errors included.
    expect(server.output()).not.toMatch(/"level":(5|6)0/);
  });

  it('SIGTERM sent to `npm start` reaches the server, which drains and stops (the script execs node)', async () => {
    // npm forwards SIGTERM to the shell running the script; without `exec` dash dies and leaves
    // node running, orphaned, with no drain (what a supervisor stopping `npm start` would see).
    const env = {
      PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', DEMO: '0', ISO8583_PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'seeded.db')}`, ADMIN_API_KEY: secrets.adminApiKey, NETWORK_KEY_ID: secrets.networkKeyId,
      NETWORK_SECRET: secrets.networkSecret, MASTER_KEY: secrets.masterKey.toString('hex'), npm_config_update_notifier: 'false',
    };
    const npm = spawnWatched('npm', ['start', '--silent'], env);
    const port = await readyPort(npm);
    expect(port, npm.output()).not.toBeNull();
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    npm.proc.kill('SIGTERM');
    await npm.exit;
    for (let i = 0; i < 250 && !npm.output().includes('"msg":"stopped"'); i++) await sleep(20);
    expect(npm.output()).toContain('"msg":"stopped"');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('creates a new database and prints where to go and how to log in, as the quick start promises', async () => {
    const server = await startBundle({ DATABASE_URL: `sqlite:${join(dir, 'new', 'cards.db')}` });
    try {
      const port = new URL(server.url).port;
      // The printout is written right after the ready line; give it a moment to come through the pipe.
      for (let i = 0; i < 100 && !server.output().includes('Development keys'); i++) await sleep(20);
      expect(server.output()).toContain(`Internet Shopping Card is running at http://localhost:${port}`);
      expect(server.output()).toContain('Demo login: username "demo", password "demo-password" (just created)');
      expect(server.output()).toContain('Development keys were generated');
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
});
