// The service while its PostgreSQL is gone (a crash, a failover) and after it comes back: every
// network request is answered 91 within 2 s, the banking API and /readyz answer 503, the process
// stays up (an idle pooled connection failing must not end it), and it recovers by itself.
// A real server process on a PostgreSQL of the test's own, which the test crashes and restarts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { startServer, stopServer, waitHealthy, type ServerProcess } from '../support/instances.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';

const ANSWER_WITHIN_MS = 2000;
const NETWORK_KEY_ID = 'net_outage';
const NETWORK_SECRET = randomBytes(32).toString('hex');

/** A signed network request and how long its answer took. */
async function network(url: string, path: string, body: object) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const started = performance.now();
  const res = await fetch(url + path, {
    method: 'POST', body: raw, signal: AbortSignal.timeout(10_000),
    headers: {
      'content-type': 'application/json', 'x-key-id': NETWORK_KEY_ID, 'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(NETWORK_SECRET, timestamp, 'POST', path, raw),
    },
  });
  return { status: res.status, body: await res.json() as Record<string, unknown>, ms: performance.now() - started };
}

async function plain(url: string, method: string, path: string, body?: object) {
  const started = performance.now();
  const res = await fetch(url + path, {
    method, signal: AbortSignal.timeout(10_000),
    headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) as Record<string, unknown> : {}, ms: performance.now() - started };
}

let stan = 0;
function authorization() {
  stan++;
  return {
    mti: '0100', pan: '4657810000000001', expiry: '2911', cvv2: '123', processingCode: '000000', amount: 1_000,
    currency: '414', transmissionTime: new Date().toISOString(), stan: String(stan).padStart(6, '0'),
    rrn: `8${String(stan).padStart(11, '0')}`, mcc: '5732', posEntryMode: '812', posConditionCode: '59',
    acquirerId: '412345', merchantId: 'M-OUT', merchantName: 'Outage Shop', merchantCountry: 'KW',
  };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('the service while PostgreSQL is down', () => {
  let pg: ThrowawayPostgres;
  let server: ServerProcess;

  beforeAll(async () => {
    pg = await ThrowawayPostgres.create();
    server = await startServer({
      NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: pg.url, PG_POOL_SIZE: '4', PG_CONNECT_TIMEOUT_MS: '1000',
      ADMIN_API_KEY: `adm_${randomBytes(16).toString('hex')}`, NETWORK_KEY_ID, NETWORK_SECRET,
      MASTER_KEY: randomBytes(32).toString('hex'),
    });
    await waitHealthy(server.url);
  }, 60_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    pg?.destroy();
  });

  it('answers 91, 503 and 503 within 2 s while the database is gone, stays up, and recovers by itself', async () => {
    // Up: an unknown card is declined 14 (a decision, stored), login with a wrong password is 401.
    // Several at once, so that the pool holds idle connections when the server dies.
    const before = await Promise.all(Array.from({ length: 4 }, () => network(server.url, '/v1/network/authorizations', authorization())));
    expect(before.map((a) => a.body.responseCode)).toEqual(['14', '14', '14', '14']);
    expect((await plain(server.url, 'POST', '/v1/banking/sessions', { username: 'nobody', password: 'wrong-password' })).status).toBe(401);
    expect((await plain(server.url, 'GET', '/readyz')).status).toBe(200);

    // The server dies under load: connections checked out mid-transaction fail too.
    const inFlight = Promise.all(Array.from({ length: 40 }, () => network(server.url, '/v1/network/authorizations', authorization())));
    await new Promise((r) => setTimeout(r, 30));
    pg.crash();
    for (const a of await inFlight) {
      expect(['14', '91']).toContain(a.body.responseCode);
      expect(a.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }

    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        network(server.url, '/v1/network/authorizations', authorization()),
        network(server.url, '/v1/network/reversals', { acquirerId: '412345', rrn: '800000000001', stan: '000999', transmissionTime: new Date().toISOString() }),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.body).toEqual({ responseCode: '91', approved: false, reason: 'issuer_unavailable' });
        expect(a.ms).toBeLessThan(ANSWER_WITHIN_MS);
      }
      const login = await plain(server.url, 'POST', '/v1/banking/sessions', { username: 'nobody', password: 'wrong-password' });
      expect(login).toMatchObject({ status: 503, type: 'application/problem+json', body: { status: 503, code: 'database_unavailable' } });
      expect(login.ms).toBeLessThan(ANSWER_WITHIN_MS);
      const ready = await plain(server.url, 'GET', '/readyz');
      expect(ready).toMatchObject({ status: 503, body: { status: 'database unreachable' } });
      expect(ready.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect((await plain(server.url, 'GET', '/healthz')).status).toBe(200);
    }
    expect(server.child.exitCode).toBeNull();

    pg.start();

    // Back by itself: no restart of the service.
    let recovered: Awaited<ReturnType<typeof network>> | undefined;
    for (let i = 0; i < 50 && recovered?.body.responseCode !== '14'; i++) {
      recovered = await network(server.url, '/v1/network/authorizations', authorization());
      if (recovered.body.responseCode !== '14') await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered?.body).toMatchObject({ responseCode: '14', reason: 'invalid_card' });
    expect((await plain(server.url, 'GET', '/readyz')).status).toBe(200);
    expect((await plain(server.url, 'POST', '/v1/banking/sessions', { username: 'nobody', password: 'wrong-password' })).status).toBe(401);
    expect(server.child.exitCode).toBeNull();
  }, 90_000);
});
