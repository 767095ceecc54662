// Several stateless instances against one PostgreSQL database (issue 4): three real server
// processes, 200 concurrent over-limit authorizations at one account spread across them. Exactly
// one is approved (the one-time exceed), the ledger balances, and every approved answer the client
// received is in the database. A cardholder's event stream held by one instance hears an
// authorization answered by another (LISTEN/NOTIFY relay).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyring } from '../../src/crypto/keyring.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { backendUrl, createPgSchema, dropPgSchema } from '../support/backends.js';
import { startServer, stopServer, waitHealthy, type ServerProcess } from '../support/instances.js';
import { accountLedger } from '../support/ledger-check.js';

const INSTANCES = 3;
const ATTEMPTS = 200;
const LIMIT_FILS = 100_000;
const OVER_LIMIT_AMOUNT = 110_000; // above the limit, within limit + 20 %
const ADMIN_KEY = `adm_${randomBytes(16).toString('hex')}`;
const NETWORK_KEY_ID = 'net_scale';
const NETWORK_SECRET = randomBytes(32).toString('hex');
const MASTER_KEY = randomBytes(32);

async function call(url: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

function signedAuthorization(url: string, body: object) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const path = '/v1/network/authorizations';
  return fetch(url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'x-key-id': NETWORK_KEY_ID, 'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(NETWORK_SECRET, timestamp, 'POST', path, raw),
    },
    body: raw,
  }).then(async (res) => ({ status: res.status, body: await res.json() as Record<string, any> }));
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('three instances on one PostgreSQL database', () => {
  let schema: string;
  let servers: ServerProcess[] = [];
  let handle: DbHandle;

  beforeAll(async () => {
    schema = await createPgSchema();
    const env = {
      NODE_ENV: 'test', DEMO: '0', LOG_LEVEL: 'info',
      DATABASE_URL: backendUrl('postgres')!, PG_SCHEMA: schema, PG_POOL_SIZE: '4',
      ADMIN_API_KEY: ADMIN_KEY, NETWORK_KEY_ID, NETWORK_SECRET, MASTER_KEY: MASTER_KEY.toString('hex'),
    };
    // All at once, on an empty schema: the start-up lock lets one build it and the others wait.
    const started = await Promise.allSettled(Array.from({ length: INSTANCES }, () => startServer(env)));
    servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await Promise.all(servers.map((s) => waitHealthy(s.url)));
    handle = openDatabase(backendUrl('postgres')!, { pgSchema: schema, poolSize: 2 });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => stopServer(s)));
    await handle?.close();
    if (schema) await dropPgSchema(schema);
  });

  /** Customer, session and card through the APIs, each step on another instance. */
  async function cardholderThroughApis() {
    const [one, two, three] = servers.map((s) => s.url);
    const username = `scale${randomBytes(4).toString('hex')}`;
    const customer = await call(one, 'POST', '/v1/admin/customers',
      { username, password: 'correct horse battery', name: 'Scale Test', currentAccountBalance: 1_000_000 },
      { authorization: `Bearer ${ADMIN_KEY}` });
    expect(customer.status, customer.text).toBe(201);
    const session = await call(two, 'POST', '/v1/banking/sessions', { username, password: 'correct horse battery' });
    expect(session.status).toBe(200);
    const card = await call(three, 'POST', '/v1/banking/cards', { limit: LIMIT_FILS }, { authorization: `Bearer ${session.body.token}` });
    expect(card.status, card.text).toBe(201);
    expect(card.body).toMatchObject({ limit: LIMIT_FILS, overLimit: { enabled: true, used: false } });
    // The PAN, expiry and CVV2, as the cardholder would reveal them (read with the same MASTER_KEY).
    const keyring = await loadKeyring(handle.db, MASTER_KEY);
    const row = await handle.db.selectFrom('cards').selectAll().where('id', '=', card.body.id).executeTakeFirstOrThrow();
    const pan = keyring.decrypt(row.pan_ciphertext, row.pan_key_id, `pan:${row.id}`);
    return { token: session.body.token as string, row, pan, cvv2: keyring.cvv2(pan, row.expiry) };
  }

  it('answers exactly one of 200 concurrent over-limit authorizations with an approval, and the database agrees', async () => {
    const { row, pan, cvv2 } = await cardholderThroughApis();

    const transmissionTime = new Date().toISOString();
    const answers = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => {
      const stan = String(i + 1).padStart(6, '0');
      return signedAuthorization(servers[i % INSTANCES].url, {
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
    const stored = await handle.db.selectFrom('authorizations').selectAll().where('account_id', '=', row.account_id).execute();
    expect(stored).toHaveLength(ATTEMPTS);
    expect(new Set(stored.map((s) => s.id))).toEqual(new Set(answers.map((a) => a.body.authorizationId)));
    const storedApproved = stored.filter((s) => s.approved === 1);
    expect(storedApproved.map((s) => ({ id: s.id, authCode: s.auth_code, overLimit: s.over_limit, status: s.status }))).toEqual([
      { id: approved[0].body.authorizationId, authCode: approved[0].body.authCode, overLimit: 1, status: 'pending' },
    ]);

    // The ledger balances and the account's cached figures match it.
    const account = await handle.db.selectFrom('card_accounts').selectAll().where('id', '=', row.account_id).executeTakeFirstOrThrow();
    expect(account).toMatchObject({ over_limit_used: 1, over_limit_auth_id: approved[0].body.authorizationId });
    const ledger = await accountLedger(handle, row.account_id);
    expect(ledger).toMatchObject({ heldFils: OVER_LIMIT_AMOUNT, openPendingFils: OVER_LIMIT_AMOUNT, postedFils: 0, postedNetFils: 0 });
    expect(ledger.debitsFils).toBe(ledger.creditsFils);

    // The account's audit chain stayed one unbroken sequence although three processes wrote it.
    const audit = await handle.db.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash'])
      .where('stream', '=', `account:${row.account_id}`).orderBy('seq').execute();
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    audit.slice(1).forEach((e, i) => expect(e.prev_hash).toBe(audit[i].hash));
    expect(audit.length).toBeGreaterThanOrEqual(ATTEMPTS); // one entry per decision, at least
  });

  it('pushes a notification to the cardholder\'s event stream on another instance than the one that answered', async () => {
    const { token, row, pan, cvv2 } = await cardholderThroughApis();
    const controller = new AbortController();
    const res = await fetch(`${servers[2].url}/v1/banking/notifications/stream`, {
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
      // An ATM withdrawal answered by instance 1: refused, and the cardholder is alerted.
      const answer = await signedAuthorization(servers[0].url, {
        mti: '0100', pan, expiry: row.expiry, cvv2, processingCode: '010000', amount: 5_000, currency: '414',
        transmissionTime: new Date().toISOString(), stan: '900001', rrn: '900000000001', mcc: '6011',
        posEntryMode: '051', posConditionCode: '00', acquirerId: '412345', merchantId: 'ATM-1',
        merchantName: 'Street ATM', merchantCountry: 'KW', terminalType: 'atm', pinPresent: true,
      });
      expect(answer.body).toMatchObject({ responseCode: '57', reason: 'channel_atm_or_cash' });
      await readUntil('event: notification');
      await readUntil('\n\n');
      const data = received.split('\n').find((l) => l.startsWith('data: '))!.slice('data: '.length);
      expect(JSON.parse(data)).toMatchObject({ kind: 'blocked_attempt' });
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
  });

  it('shares one set of data keys and one bootstrap network client, built by whichever instance came first', async () => {
    const keys = await handle.db.selectFrom('data_keys').select('purpose').execute();
    expect(keys.map((k) => k.purpose).sort()).toEqual(['cvv', 'fingerprint', 'pan']);
    expect(await handle.db.selectFrom('network_clients').select('key_id').execute()).toEqual([{ key_id: NETWORK_KEY_ID }]);
    for (const s of servers) expect((await call(s.url, 'GET', '/readyz', undefined)).body).toMatchObject({ status: 'ready', database: 'postgres' });
  });
});
