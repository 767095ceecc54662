// A real HTTP server for tests that must go over the wire (concurrency, the simulator): the app on
// @hono/node-server, port 0, the system clock, and a SQLite file in a temp dir or a fresh
// PostgreSQL schema. Set-up calls go through the same HTTP API a client would use.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { withAuthorizationFastPath, type FastPath } from '../../src/http/network/authorization-fast-path.js';
import type { AppDeps } from '../../src/http/env.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { createLogger } from '../../src/logger.js';
import { decryptPan } from '../../src/service/banking/issue-card.js';
import { AuthorizationWorker } from '../../src/runtime/authorization-worker.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { backendUrl, createPgSchema, dropPgSchema, type Backend } from './backends.js';
import { ADMIN_KEY, NETWORK_KEY_ID, NETWORK_SECRET } from './harness.js';

export interface TestServer {
  url: string;
  deps: AppDeps;
  logLines: string[];
  /** The authorization fast path in front of the app, as main.ts serves it. */
  fastPath: FastPath;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** SQLite: run authorizations on the worker thread, as main.ts does with AUTHORIZATION_THREAD=worker. */
  authorizationWorker?: boolean;
  /** SQLite's synchronous mode (default NORMAL: fast tests; FULL as in production). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** SQLite: WAL pages at which the group commit is held so that the WAL restarts (SQLITE_WAL_RESTART_PAGES). */
  sqliteWalRestartPages?: number;
}

export async function startTestServer(backend: Backend, o: TestServerOptions = {}): Promise<TestServer> {
  let handle: DbHandle;
  let dropStore: () => Promise<void>;
  let sqliteUrl: string | undefined;
  if (backend === 'postgres') {
    const schema = await createPgSchema();
    handle = openDatabase(backendUrl('postgres')!, { pgSchema: schema, poolSize: 10 });
    dropStore = () => dropPgSchema(schema);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'isc-test-'));
    sqliteUrl = `sqlite:${join(dir, 'cards.db')}`;
    handle = openDatabase(sqliteUrl, { sqliteSynchronous: o.sqliteSynchronous ?? 'NORMAL', sqliteWalRestartPages: o.sqliteWalRestartPages });
    dropStore = async () => rmSync(dir, { recursive: true, force: true });
  }
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  const secrets = { adminApiKey: ADMIN_KEY, networkKeyId: NETWORK_KEY_ID, networkSecret: NETWORK_SECRET, masterKey: randomBytes(32) };
  const deps = await startServices({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }),
    secrets,
    logger: createLogger('debug', sink),
    handle,
  });
  if (sqliteUrl && o.authorizationWorker) {
    deps.authorizationWorker = await AuthorizationWorker.startFor(deps, new URL('../../src/authorization-worker-main.ts', import.meta.url), {
      databaseUrl: sqliteUrl, synchronous: o.sqliteSynchronous ?? 'NORMAL', cacheMb: 16, masterKey: secrets.masterKey, bankName: deps.bankName, logLevel: 'debug',
    });
  }
  const { createServer, fastPath } = await withAuthorizationFastPath(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1', createServer }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    logLines,
    fastPath: fastPath()!,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.authorizationWorker?.close();
      await handle.close();
      await dropStore();
    },
  };
}

export async function httpJson(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(url, {
    method, body: raw, headers: { ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A signed network POST over HTTP, timestamped by the real clock (the server runs on it). */
export function signedPost(server: TestServer, path: string, body: unknown) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(server.url + path, {
    method: 'POST', body: raw,
    headers: {
      'content-type': 'application/json', 'x-key-id': NETWORK_KEY_ID, 'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(NETWORK_SECRET, timestamp, 'POST', path, raw),
    },
  }).then(async (res) => ({ status: res.status, body: await res.json() as Record<string, any> }));
}

/** Customer, session and card through the HTTP API; PAN and CVV2 from the server's keyring. */
export async function serverCardholder(server: TestServer, limit = 100_000) {
  const username = `user${randomBytes(4).toString('hex')}`;
  const password = 'correct horse battery';
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const customer = await httpJson(`${server.url}/v1/admin/customers`, 'POST',
    { username, password, name: 'Wire Customer', currentAccountBalance: 1_000_000 }, admin);
  if (customer.status !== 201) throw new Error(`customer: ${customer.status}`);
  const session = await httpJson(`${server.url}/v1/banking/sessions`, 'POST', { username, password });
  if (session.status !== 200) throw new Error(`login: ${session.status}`);
  const card = await httpJson(`${server.url}/v1/banking/cards`, 'POST', { limit }, { authorization: `Bearer ${session.body.token}` });
  if (card.status !== 201) throw new Error(`card: ${card.status}`);
  const row = await server.deps.handle.db.selectFrom('cards').selectAll().where('id', '=', card.body.id).executeTakeFirstOrThrow();
  const pan = decryptPan(server.deps, row);
  return { card: card.body, accountId: row.account_id, pan, expiry: row.expiry, cvv2: server.deps.keyring.cvv2(pan, row.expiry), token: session.body.token as string };
}

let stan = 0;
/** A web purchase (entry mode 81) with a fresh idempotency key. */
export function webPurchase(card: { pan: string; expiry: string; cvv2: string }, amount: number) {
  stan = (stan + 1) % 1_000_000;
  const s = String(stan).padStart(6, '0');
  return {
    mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000', amount,
    currency: '414', transmissionTime: new Date().toISOString(), stan: s, rrn: `${randomBytes(3).toString('hex')}${s}`,
    mcc: '5732', posEntryMode: '812', posConditionCode: '59', acquirerId: `acq${randomBytes(3).toString('hex')}`,
    merchantId: 'M-2001', merchantName: 'Wire Test Shop', merchantCountry: 'KW',
  };
}
