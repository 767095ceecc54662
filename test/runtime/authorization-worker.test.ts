// Authorizations on the worker thread (src/runtime/authorization-worker.ts): a second
// SQLite connection writing the same file while the main thread's connection serves online banking.
// Whatever the interleaving, nothing fails for a lock, every audit chain stays whole, the ledger
// balances, and the cardholder is woken for what the worker approved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/service/errors.js';
import { fromWireError, toWireError } from '../../src/runtime/authorization-worker.js';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { httpJson, serverCardholder, signedPost, startTestServer, webPurchase, type TestServer } from '../support/server.js';

describe('authorizations on the worker thread (SQLite on disk)', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer('sqlite', { authorizationWorker: true }); });
  afterAll(() => server.close());

  it('runs beside online-banking writes on the main connection: no lock errors, chains whole, ledger balanced', async () => {
    expect(server.deps.authorizationWorker?.running).toBe(true);
    const holders = await Promise.all([serverCardholder(server, 200_000), serverCardholder(server, 200_000)]);
    const woken: string[] = [];
    const customers = await server.deps.handle.db.selectFrom('cards').select(['id', 'customer_id']).execute();
    for (const c of customers) server.deps.events.subscribe(c.customer_id, () => woken.push(c.customer_id));

    // Purchases through the worker, while the cardholders freeze and unfreeze (audited writes on the
    // main connection, to the same accounts' audit streams) and read their cards.
    const purchases = holders.flatMap((h) => Array.from({ length: 150 }, () => signedPost(server, '/v1/network/authorizations', webPurchase(h, 500))));
    const banking = holders.flatMap((h) => Array.from({ length: 30 }, async (_, i) => {
      const auth = { authorization: `Bearer ${h.token}` };
      await new Promise((resolve) => setTimeout(resolve, i));
      const action = i % 2 === 0 ? 'freeze' : 'unfreeze';
      const r = await httpJson(`${server.url}/v1/banking/cards/${h.card.id}/${action}`, 'POST', {}, auth);
      return r.status;
    }));
    const [answers, statuses] = await Promise.all([Promise.all(purchases), Promise.all(banking)]);

    expect(answers.every((a) => a.status === 200)).toBe(true);
    for (const a of answers) expect(['00', '62']).toContain(a.body.responseCode); // approved, or the card was frozen then
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true); // 409: already in that state
    const approved = answers.filter((a) => a.body.approved).length;
    expect(approved).toBeGreaterThan(0);

    const audit = await verifyAuditLog(server.deps.handle.db, Date.now());
    expect(audit.problems).toEqual([]);
    expect(audit.ok).toBe(true);
    const ledger = await checkLedger(server.deps.handle.db);
    expect(ledger.differences).toEqual([]);
    const held = await server.deps.handle.db.selectFrom('card_accounts').select(({ fn }) => fn.sum<number>('held_fils').as('held'))
      .where('id', 'in', holders.map((h) => h.accountId)).executeTakeFirstOrThrow();
    expect(Number(held.held)).toBe(approved * 500);
    expect(approved).toBeLessThan(answers.length); // some arrived while a card was frozen: the two interleaved
    expect(new Set(woken).size).toBe(2); // approvals made on the worker still wake the cardholder's page
  });

  it("an audit append on the main connection between two of the worker's batches costs the second no rerun", async () => {
    const holder = await serverCardholder(server, 100_000);
    const auth = { authorization: `Bearer ${holder.token}` };
    const reruns = await metric(server, 'db_group_commit_reruns_total');
    for (let i = 0; i < 3; i++) {
      expect((await signedPost(server, '/v1/network/authorizations', webPurchase(holder, 100))).body.responseCode).toBe('00');
      // Audited on the main connection: the chain's head moves under the worker's remembered one.
      expect((await httpJson(`${server.url}/v1/banking/cards/${holder.card.id}/freeze`, 'POST', {}, auth)).status).toBe(200);
      expect((await httpJson(`${server.url}/v1/banking/cards/${holder.card.id}/unfreeze`, 'POST', {}, auth)).status).toBe(200);
    }
    expect((await signedPost(server, '/v1/network/authorizations', webPurchase(holder, 100))).body.responseCode).toBe('00');
    // Each batch saw data_version move and read the head afresh: none collided and ran twice.
    expect(await metric(server, 'db_group_commit_reruns_total')).toBe(reruns);
    expect((await verifyAuditLog(server.deps.handle.db, Date.now())).ok).toBe(true);
  });

  it('reports its group-commit batches and what it holds to /metrics', async () => {
    const holder = await serverCardholder(server, 100_000);
    const before = await batchCount(server);
    await Promise.all(Array.from({ length: 5 }, () => signedPost(server, '/v1/network/authorizations', webPurchase(holder, 100))));
    expect(await batchCount(server)).toBeGreaterThan(before);
    // What the worker holds, sampled on every turn of this thread's event loop during a burst.
    const worker = server.deps.authorizationWorker!;
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, worker.inFlight);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(Array.from({ length: 50 }, () => signedPost(server, '/v1/network/authorizations', webPurchase(holder, 100))));
    sampling = false;
    await sampler;
    expect(most).toBeGreaterThan(0);
    expect(await metric(server, 'authorization_worker_in_flight')).toBe(0); // all answered
  });

  it('once stopped, authorizations run on the main thread again', async () => {
    const holder = await serverCardholder(server, 100_000);
    await server.deps.authorizationWorker!.close();
    expect(server.deps.authorizationWorker!.running).toBe(false);
    const answer = await signedPost(server, '/v1/network/authorizations', webPurchase(holder, 1_000));
    expect(answer).toMatchObject({ status: 200, body: { responseCode: '00' } });
  });
});

describe('authorizations on the worker thread at synchronous=FULL', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer('sqlite', { authorizationWorker: true, sqliteSynchronous: 'FULL' }); });
  afterAll(() => server.close());

  it('the worker commits, and this thread fsyncs the WAL before it releases the answers', async () => {
    const holder = await serverCardholder(server, 100_000);
    const walSync = server.deps.handle.walSync!;
    const before = walSync.completed;
    // For each answer: how many of this thread's WAL fsyncs had completed when it arrived.
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      signedPost(server, '/v1/network/authorizations', webPurchase(holder, 100)).then((a) => ({ ...a, fsyncs: walSync.completed }))));
    for (const a of answers) {
      expect(a).toMatchObject({ status: 200, body: { responseCode: '00' } });
      expect(a.fsyncs).toBeGreaterThan(before);
    }
    expect(await metric(server, 'db_wal_fsyncs')).toBe(walSync.completed);
    // The worker's connection is back at FULL outside its group commits; so is this one.
    expect(server.deps.handle.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
  });
});

const batchCount = (server: TestServer) => metric(server, 'db_group_commit_batch_size_count');

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${process.env.ADMIN_API_KEY ?? 'test-admin-key-0123456789abcdef'}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(' ')[1]);
}

describe('errors crossing the thread boundary', () => {
  it('keep what their answer needs', () => {
    const service = fromWireError(toWireError(new ServiceError('rate_limited', 'slow down', { limit: 5 }, 30)));
    expect(service).toBeInstanceOf(ServiceError);
    expect(service).toMatchObject({ code: 'rate_limited', message: 'slow down', extra: { limit: 5 }, retryAfterSeconds: 30 });
    expect((service as ServiceError).status).toBe(new ServiceError('rate_limited', 'x').status);
    const plain = fromWireError(toWireError(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })));
    expect(plain).not.toBeInstanceOf(ServiceError);
    expect(plain).toMatchObject({ message: 'disk I/O error', code: 'SQLITE_IOERR' });
  });
});
