// SIGTERM (issue 9 §5): the real server as a child process. A request in flight when the signal
// arrives is still answered, then the process closes the database and exits 0; a connection that
// never finishes is cut when SHUTDOWN_GRACE_MS runs out, and the exit code says so.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type SeededCard } from '../../scripts/seed.js';
import { signedHeaders } from '../../scripts/bench/workload.js';
import type { Secrets } from '../../src/config.js';
import { readyPort, spawnWatched, type Watched } from '../support/child-server.js';

const secrets: Secrets = { adminApiKey: 'a'.repeat(32), networkKeyId: 'net_shutdown', networkSecret: 's'.repeat(32), masterKey: randomBytes(32) };
let dir: string;
let card: SeededCard;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isc-shutdown-'));
  const seeded = await seedDatabase({ databaseUrl: `sqlite:${join(dir, 'cards.db')}`, cards: 3, history: 0, secrets });
  card = seeded.cards[0];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Server extends Watched { port: number }

async function startServer(env: Record<string, string>): Promise<Server> {
  const w = spawnWatched(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'info', ISO8583_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'cards.db')}`, ADMIN_API_KEY: secrets.adminApiKey, NETWORK_KEY_ID: secrets.networkKeyId,
    NETWORK_SECRET: secrets.networkSecret, MASTER_KEY: secrets.masterKey.toString('hex'), ...env,
  });
  const port = await readyPort(w);
  if (port === null) throw new Error(`server exited: ${w.output()}`);
  return { ...w, port };
}

function purchase(stan: string) {
  return JSON.stringify({
    mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000', amount: 1_000,
    currency: '414', transmissionTime: new Date().toISOString(), stan, rrn: `63300000${stan.slice(-4)}`, mcc: '5732',
    posEntryMode: '812', posConditionCode: '59', acquirerId: '412345', merchantId: 'M-1', merchantName: 'Shop', merchantCountry: 'KW',
  });
}

/** Request headers asking for 100 Continue: its arrival proves the server has the request in hand. */
function head(port: number, raw: string): string {
  const headers = signedHeaders(secrets.networkKeyId, secrets.networkSecret, raw);
  return `POST /v1/network/authorizations HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${Buffer.byteLength(raw)}\r\nexpect: 100-continue\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

function collect(socket: Socket): { text: () => string; closed: Promise<void> } {
  let text = '';
  socket.on('data', (d) => { text += String(d); });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { text: () => text, closed };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

describe('SIGTERM', () => {
  it('answers the request in flight, then closes the database and exits 0', async () => {
    const server = await startServer({ SHUTDOWN_GRACE_MS: '20000' });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const reader = collect(socket);
    const raw = purchase('000101');
    // Headers and part of the body: once 100 Continue is back, the request is in flight and the
    // handler waits for the rest of the body.
    socket.write(head(server.port, raw));
    await until(() => reader.text().includes('100 Continue'));
    socket.write(raw.slice(0, 40));
    server.proc.kill('SIGTERM');
    await until(() => server.output().includes('"msg":"draining"'));
    socket.write(raw.slice(40));
    await reader.closed;
    expect(reader.text()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(reader.text()).toContain('"responseCode":"00"');
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('"msg":"draining"');
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('cuts a connection that never completes when the grace period runs out, and exits 1', async () => {
    const server = await startServer({ SHUTDOWN_GRACE_MS: '500' });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const reader = collect(socket);
    const raw = purchase('000102');
    socket.write(head(server.port, raw));
    await until(() => reader.text().includes('100 Continue'));
    socket.write(raw.slice(0, 10));
    server.proc.kill('SIGTERM');
    const code = await server.exit;
    expect(code).toBe(1);
    await reader.closed;
    expect(server.output()).toContain('grace period over');
  });
});
