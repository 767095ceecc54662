// Several stateless service instances (real server processes) on one PostgreSQL database, and the
// scenarios run against them. The single-server test (test/scale/multi-instance.test.ts) and the
// cluster suite (test/cluster/three-instances.cluster.ts, Patroni behind HAProxy) call the same
// scenarios, so both prove the same things with the same assertions.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadKeyring } from '../../src/crypto/keyring.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { createPgSchema, dropPgSchema } from './backends.js';
import { startServer, stopServer, waitHealthy, type ServerProcess } from './instances.js';
import { accountLedger } from './ledger-check.js';

export const ATTEMPTS = 200;
export const LIMIT_FILS = 100_000;
export const OVER_LIMIT_AMOUNT = 110_000; // above the limit, within limit + 20 %

export interface Fleet {
  /** Filled in by the beforeAll hook that useFleet registers. */
  servers: ServerProcess[];
  handle: DbHandle;
  schema: string;
  adminKey: string;
  networkKeyId: string;
  networkSecret: string;
  masterKey: Buffer;
}

export interface FleetOptions {
  /** Read when the fleet starts (the suite's environment is settled by then). */
  databaseUrl: () => string;
  instances: number;
  env?: Record<string, string>;
}

/**
 * Registers beforeAll/afterAll hooks that start `instances` servers at once on a new schema of the
 * database (the start-up lock lets one build it and the others wait), and stop them and drop the
 * schema afterwards.
 */
export function useFleet(options: FleetOptions): Fleet {
  const fleet = {
    servers: [] as ServerProcess[], schema: '', adminKey: `adm_${randomBytes(16).toString('hex')}`,
    networkKeyId: 'net_scale', networkSecret: randomBytes(32).toString('hex'), masterKey: randomBytes(32),
  } as Fleet;

  beforeAll(async () => {
    const url = options.databaseUrl();
    fleet.schema = await createPgSchema(url);
    const env = {
      NODE_ENV: 'test', DEMO: '0', LOG_LEVEL: 'info',
      DATABASE_URL: url, PG_SCHEMA: fleet.schema, PG_POOL_SIZE: '4',
      ADMIN_API_KEY: fleet.adminKey, NETWORK_KEY_ID: fleet.networkKeyId, NETWORK_SECRET: fleet.networkSecret,
      MASTER_KEY: fleet.masterKey.toString('hex'), ...options.env,
    };
    const started = await Promise.allSettled(Array.from({ length: options.instances }, () => startServer(env)));
    fleet.servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await Promise.all(fleet.servers.map((s) => waitHealthy(s.url)));
    fleet.handle = openDatabase(url, { pgSchema: fleet.schema, poolSize: 2 });
  });

  afterAll(async () => {
    await Promise.all(fleet.servers.map((s) => stopServer(s)));
    await fleet.handle?.close();
    if (fleet.schema) await dropPgSchema(fleet.schema, options.databaseUrl());
  });

  return fleet;
}

async function call(url: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

function signedAuthorization(fleet: Fleet, url: string, body: object) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const path = '/v1/network/authorizations';
  return fetch(url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'x-key-id': fleet.networkKeyId, 'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(fleet.networkSecret, timestamp, 'POST', path, raw),
    },
    body: raw,
  }).then(async (res) => ({ status: res.status, body: await res.json() as Record<string, any> }));
}

/** Customer, session and card through the APIs, each step on another instance. */
async function cardholderThroughApis(fleet: Fleet) {
  const url = (i: number) => fleet.servers[i % fleet.servers.length].url;
  const username = `scale${randomBytes(4).toString('hex')}`;
  const customer = await call(url(0), 'POST', '/v1/admin/customers',
    { username, password: 'correct horse battery', name: 'Scale Test', currentAccountBalance: 1_000_000 },
    { authorization: `Bearer ${fleet.adminKey}` });
  expect(customer.status, customer.text).toBe(201);
  const session = await call(url(1), 'POST', '/v1/banking/sessions', { username, password: 'correct horse battery' });
  expect(session.status).toBe(200);
  const card = await call(url(2), 'POST', '/v1/banking/cards', { limit: LIMIT_FILS }, { authorization: `Bearer ${session.body.token}` });
  expect(card.status, card.text).toBe(201);
  expect(card.body).toMatchObject({ limit: LIMIT_FILS, overLimit: { enabled: true, used: false } });
  // The PAN, expiry and CVV2, as the cardholder would reveal them (read with the same MASTER_KEY).
  const { db } = fleet.handle;
  const keyring = await loadKeyring(db, fleet.masterKey);
  const row = await db.selectFrom('cards').selectAll().where('id', '=', card.body.id).executeTakeFirstOrThrow();
  const pan = keyring.decrypt(row.pan_ciphertext, row.pan_key_id, `pan:${row.id}`);
  return { token: session.body.token as string, row, pan, cvv2: keyring.cvv2(pan, row.expiry) };
}

/**
 * 200 concurrent over-limit authorizations at one account, spread over every instance: exactly one
 * is approved (the over-limit allowance), every answer is stored once, the ledger balances, and the
 * account's audit chain is one unbroken sequence.
 */
export async function overLimitRace(fleet: Fleet): Promise<void> {
  const { row, pan, cvv2 } = await cardholderThroughApis(fleet);
  const { servers } = fleet;

  const transmissionTime = new Date().toISOString();
  const answers = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => {
    const stan = String(i + 1).padStart(6, '0');
    return signedAuthorization(fleet, servers[i % servers.length].url, {
      mti: '0100', pan, expiry: row.expiry, cvv2, processingCode: '000000', amount: OVER_LIMIT_AMOUNT,
      currency: '414', transmissionTime, stan, rrn: `700${stan.padStart(9, '0')}`, mcc: '5732',
      posEntryMode: '812', posConditionCode: '59', acquirerId: '412345', merchantId: 'M-2001',
      merchantName: 'Scale Test Shop', merchantCountry: 'KW',
    });
  }));

  // What the client received.
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  const approved = answers.filter((a) => a.body.approved);
  expect(approved).toHaveLength(1);
  expect(approved[0].body).toMatchObject({ responseCode: '00', reason: 'approved_over_limit', overLimit: true, billingAmount: OVER_LIMIT_AMOUNT });
  const declined = answers.filter((a) => !a.body.approved).map((a) => `${a.body.responseCode} ${a.body.reason}`);
  expect(new Set(declined)).toEqual(new Set(['51 over_limit']));

  // What the database holds: every answer stored once, the approval exactly as it was sent.
  const { db } = fleet.handle;
  const stored = await db.selectFrom('authorizations').selectAll().where('account_id', '=', row.account_id).execute();
  expect(stored).toHaveLength(ATTEMPTS);
  expect(new Set(stored.map((s) => s.id))).toEqual(new Set(answers.map((a) => a.body.authorizationId)));
  const storedApproved = stored.filter((s) => s.approved === 1);
  expect(storedApproved.map((s) => ({ id: s.id, authCode: s.auth_code, overLimit: s.over_limit, status: s.status }))).toEqual([
    { id: approved[0].body.authorizationId, authCode: approved[0].body.authCode, overLimit: 1, status: 'pending' },
  ]);

  // The ledger balances and the account's cached figures match it.
  const account = await db.selectFrom('card_accounts').selectAll().where('id', '=', row.account_id).executeTakeFirstOrThrow();
  expect(account).toMatchObject({ over_limit_used: 1, over_limit_auth_id: approved[0].body.authorizationId });
  const ledger = await accountLedger(fleet.handle, row.account_id);
  expect(ledger).toMatchObject({ heldFils: OVER_LIMIT_AMOUNT, openPendingFils: OVER_LIMIT_AMOUNT, postedFils: 0, postedNetFils: 0 });
  expect(ledger.debitsFils).toBe(ledger.creditsFils);

  // The account's audit chain stayed one unbroken sequence although several processes wrote it.
  const audit = await db.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash'])
    .where('stream', '=', `account:${row.account_id}`).orderBy('seq').execute();
  expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
  audit.slice(1).forEach((e, i) => expect(e.prev_hash).toBe(audit[i].hash));
  expect(audit.length).toBeGreaterThanOrEqual(ATTEMPTS); // one entry per decision, at least
}

/** What the network sends, and what the cardholder's answer and notification must be. */
const CROSS_INSTANCE_TRANSACTIONS = {
  // An ATM withdrawal: refused (the card is for shopping online), and the cardholder is alerted.
  atm_withdrawal: {
    request: {
      processingCode: '010000', amount: 5_000, stan: '900001', rrn: '900000000001', mcc: '6011',
      posEntryMode: '051', posConditionCode: '00', merchantId: 'ATM-1', merchantName: 'Street ATM', terminalType: 'atm', pinPresent: true,
    },
    answer: { responseCode: '57', reason: 'channel_atm_or_cash' },
    notification: { kind: 'blocked_attempt' },
  },
  // An online purchase within the limit: approved, and the cardholder is told of it.
  purchase: {
    request: {
      processingCode: '000000', amount: 5_000, stan: '900002', rrn: '900000000002', mcc: '5732',
      posEntryMode: '812', posConditionCode: '59', merchantId: 'M-2002', merchantName: 'Stream Test Shop',
    },
    answer: { approved: true, responseCode: '00' },
    notification: { kind: 'purchase_approved' },
  },
} as const;

/**
 * A cardholder's event stream held by instance `streamOn` hears a transaction answered by instance
 * `answerOn` (the LISTEN/NOTIFY relay between instances).
 */
export async function notificationAcrossInstances(fleet: Fleet, options: {
  streamOn: number; answerOn: number; transaction: keyof typeof CROSS_INSTANCE_TRANSACTIONS;
}): Promise<void> {
  const { token, row, pan, cvv2 } = await cardholderThroughApis(fleet);
  const transaction = CROSS_INSTANCE_TRANSACTIONS[options.transaction];
  const controller = new AbortController();
  const res = await fetch(`${fleet.servers[options.streamOn].url}/v1/banking/notifications/stream`, {
    headers: { authorization: `Bearer ${token}` }, signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = '';
  const readUntil = async (marker: string) => {
    while (!received.includes(marker)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before "${marker}": ${received}`);
      received += value;
    }
  };
  try {
    await readUntil(': connected');
    const answer = await signedAuthorization(fleet, fleet.servers[options.answerOn].url, {
      mti: '0100', pan, expiry: row.expiry, cvv2, currency: '414', transmissionTime: new Date().toISOString(),
      acquirerId: '412345', merchantCountry: 'KW', ...transaction.request,
    });
    expect(answer.body).toMatchObject(transaction.answer);
    await readUntil('event: notification');
    await readUntil('\n\n');
    const data = received.split('\n').find((l) => l.startsWith('data: '))!.slice('data: '.length);
    expect(JSON.parse(data)).toMatchObject(transaction.notification);
  } finally {
    controller.abort();
    await reader.cancel().catch(() => {});
  }
}

/** The instances, started together on an empty schema, share what the first one built. */
export async function sharedBootstrap(fleet: Fleet): Promise<void> {
  const { db } = fleet.handle;
  const keys = await db.selectFrom('data_keys').select('purpose').execute();
  expect(keys.map((k) => k.purpose).sort()).toEqual(['cvv', 'fingerprint', 'pan']);
  expect(await db.selectFrom('network_clients').select('key_id').execute()).toEqual([{ key_id: fleet.networkKeyId }]);
  for (const s of fleet.servers) expect((await call(s.url, 'GET', '/readyz', undefined)).body).toMatchObject({ status: 'ready', database: 'postgres' });
}
