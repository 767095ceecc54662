// SPEC §6: each network client speaks only for the acquirer ids it is bound to, and sees only its own
// business. An attacker here holds a valid, signed client of their own (created through the admin
// API) and tries to act for another acquirer, or on another client's authorizations and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { forEachBackend } from '../support/backends.js';
import { ADMIN_KEY, Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { serverCardholder, startTestServer, webPurchase, type TestServer } from '../support/server.js';

const AUTHORIZATIONS = '/v1/network/authorizations';
const MINE = '500001';
const THEIRS = '600002';

interface Client { keyId: string; secret: string }

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  let attacker: Client;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
    const created = await h.admin('POST', '/v1/admin/network-clients', { name: 'second gateway', acquirerIds: [MINE] });
    expect(created.status).toBe(200);
    attacker = { keyId: created.body.keyId, secret: created.body.secret };
  });

  const hold = async () => (await h.deps.handle.db.selectFrom('card_accounts').select('held_fils')
    .where('id', '=', holder.card.accountId).executeTakeFirstOrThrow()).held_fils;

  describe('creating a network client', () => {
    it('needs a non-empty list of acquirer ids of 1 to 11 digits', async () => {
      for (const body of [{ name: 'x' }, { name: 'x', acquirerIds: [] }, { name: 'x', acquirerIds: ['12a'] },
        { name: 'x', acquirerIds: ['123456789012'] }, { name: 'x', acquirerIds: [''] }, undefined]) {
        const res = await h.admin('POST', '/v1/admin/network-clients', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      const ok = await h.admin('POST', '/v1/admin/network-clients', { name: 'x', acquirerIds: ['1', '12345678901'] });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ keyId: expect.any(String), secret: expect.any(String), acquirerIds: ['1', '12345678901'] });
    });

    it('is described in the OpenAPI document with acquirerIds, and the network routes document the 403', async () => {
      const doc = (await h.request('GET', '/openapi.json')).body;
      expect(doc.components.schemas.NewNetworkClient.required).toContain('acquirerIds');
      expect(doc.paths['/v1/network/authorizations'].post.responses).toHaveProperty('403');
      expect(doc.paths['/v1/network/reversals'].post.responses).toHaveProperty('403');
    });
  });

  describe('a message naming an acquirer the client is not bound to', () => {
    it('is 403 acquirer_not_permitted on an authorization, with no responseCode, and stores nothing', async () => {
      const before = await h.countRows('authorizations', 'ledger_transfers', 'audit_log');
      const res = await h.network(AUTHORIZATIONS, h.purchase(holder, { acquirerId: THEIRS }), attacker);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('acquirer_not_permitted');
      expect(res.body).not.toHaveProperty('responseCode');
      expect(await h.countRows('authorizations', 'ledger_transfers', 'audit_log')).toEqual(before);
      // Its own acquirer works, and the bootstrapped client may speak for any.
      expect((await h.network(AUTHORIZATIONS, h.purchase(holder, { acquirerId: MINE, amount: 100 }), attacker)).body.responseCode).toBe('00');
      expect((await h.network(AUTHORIZATIONS, h.purchase(holder, { acquirerId: THEIRS, amount: 100 }))).body.responseCode).toBe('00');
    });

    it('is 403 on a reversal by acquirerId + rrn, and the hold stays', async () => {
      const purchase = h.purchase(holder, { acquirerId: THEIRS, amount: 1_000 });
      expect((await h.network(AUTHORIZATIONS, purchase)).body.approved).toBe(true);
      const held = await hold();
      const res = await h.network('/v1/network/reversals',
        { acquirerId: THEIRS, rrn: purchase.rrn, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() }, attacker);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('acquirer_not_permitted');
      expect(res.body).not.toHaveProperty('responseCode');
      expect(await hold()).toBe(held);
    });

    it('is 403 on an authorization advice and a reversal advice, which store nothing and release nothing', async () => {
      const before = await h.countRows('authorizations', 'reversal_advices', 'ledger_transfers', 'audit_log');
      const advice = { ...h.purchase(holder, { acquirerId: THEIRS, amount: 900 }), mti: '0120', responseCode: '00', authCode: 'ABC123' };
      const res = await h.network('/v1/network/authorization-advices', advice, attacker);
      expect([res.status, res.body.code, res.body.responseCode]).toEqual([403, 'acquirer_not_permitted', undefined]);
      expect(await h.countRows('authorizations', 'reversal_advices', 'ledger_transfers', 'audit_log')).toEqual(before);

      const purchase = h.purchase(holder, { acquirerId: THEIRS, amount: 800 });
      expect((await h.network(AUTHORIZATIONS, purchase)).body.approved).toBe(true);
      const held = await hold();
      const reversal = await h.network('/v1/network/reversal-advices', { mti: '0420', acquirerId: THEIRS, rrn: purchase.rrn,
        stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() }, attacker);
      expect([reversal.status, reversal.body.code]).toEqual([403, 'acquirer_not_permitted']);
      expect(await hold()).toBe(held);
    });

    it('rejects only that record of a clearing batch', async () => {
      const mine = h.purchase(holder, { acquirerId: MINE, amount: 700 });
      const auth = await h.network(AUTHORIZATIONS, mine, attacker);
      expect(auth.body.approved).toBe(true);
      const record = (acquirerId: string, rrn: string) => ({ pan: holder.pan, rrn, acquirerId, amount: 700, currency: '414',
        processingCode: '000000', mcc: '5732', merchantName: 'Gulf Books Online' });
      const res = await h.network('/v1/network/clearings', { records: [record(THEIRS, '111111111111'), record(MINE, mine.rrn)] }, attacker);
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toEqual({ index: 0, status: 'rejected', code: 'acquirer_not_permitted' });
      expect(res.body.results[1]).toMatchObject({ index: 1, status: 'posted' });
      expect(await h.deps.handle.db.selectFrom('clearings').select('id').where('record_key', 'like', `${THEIRS}|111111111111%`).execute()).toEqual([]);
    });
  });

  describe("another client's business, on an acquirer both may speak for", () => {
    it('a reversal naming its authorization, by id or by acquirerId + rrn, is 25 and releases nothing', async () => {
      const purchase = h.purchase(holder, { acquirerId: MINE, amount: 1_500 });
      const auth = await h.network(AUTHORIZATIONS, purchase); // the bootstrapped client's
      expect(auth.body.approved).toBe(true);
      const held = await hold();
      const time = new Date(h.clock.now()).toISOString();
      const byId = await h.network('/v1/network/reversals', { authorizationId: auth.body.authorizationId, stan: h.nextStan(), transmissionTime: time }, attacker);
      expect(byId.body).toMatchObject({ responseCode: '25', reversedAmount: 0 });
      const byRrn = await h.network('/v1/network/reversals', { acquirerId: MINE, rrn: purchase.rrn, stan: h.nextStan(), transmissionTime: time }, attacker);
      expect(byRrn.body).toMatchObject({ responseCode: '25', reversedAmount: 0 });
      expect(await hold()).toBe(held);
      // Its own client reverses it.
      expect((await h.network('/v1/network/reversals', { authorizationId: auth.body.authorizationId, stan: h.nextStan(), transmissionTime: time })).body.reversedAmount).toBe(1_500);
    });

    it('a clearing matching its authorization is posted_unmatched (with a pan) or 25 (without), and its hold stays', async () => {
      const purchase = h.purchase(holder, { acquirerId: MINE, amount: 2_000 });
      const auth = await h.network(AUTHORIZATIONS, purchase);
      expect(auth.body.approved).toBe(true);
      const base = { rrn: purchase.rrn, authCode: auth.body.authCode, acquirerId: MINE, amount: 2_000, currency: '414', mcc: '5732', merchantName: 'Gulf Books Online' };
      const noPan = await h.network('/v1/network/clearings', { records: [{ ...base, processingCode: '000000' }] }, attacker);
      expect(noPan.body.results[0]).toEqual({ index: 0, status: 'rejected', code: '25' });
      const withPan = await h.network('/v1/network/clearings', { records: [{ ...base, pan: holder.pan, processingCode: '000000' }] }, attacker);
      expect(withPan.body.results[0]).toMatchObject({ status: 'posted_unmatched' });
      const row = await h.deps.handle.db.selectFrom('authorizations').select(['status', 'hold_fils']).where('id', '=', auth.body.authorizationId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'pending', hold_fils: 2_000 });
    });

    it("reading its 3-D Secure authentication is 404", async () => {
      const raw = JSON.stringify({ pan: holder.pan, expiry: holder.expiry, amount: 1_000, currency: '414', merchantId: 'M-1001', merchantName: 'Gulf Books Online' });
      const started = await h.network('/v1/network/3ds/authentications', undefined, { raw });
      expect(started.status).toBe(200);
      const path = `/v1/network/3ds/authentications/${started.body.id}`;
      const read = await h.request('GET', path, { headers: h.signedHeaders('GET', path, '', attacker) });
      expect(read.status).toBe(404);
      expect((await h.request('GET', path, { headers: h.signedHeaders('GET', path, '') })).status).toBe(200);
    });
  });

  describe('idempotency keys belong to their client', () => {
    it('the same acquirerId + stan + transmissionTime from two clients are two requests, neither replaying the other', async () => {
      const body = h.purchase(holder, { acquirerId: MINE, amount: 300 });
      const first = await h.network(AUTHORIZATIONS, body);
      const second = await h.network(AUTHORIZATIONS, body, attacker);
      expect(first.body.responseCode).toBe('00');
      expect(second.body.responseCode).toBe('00');
      expect(second.body.authorizationId).not.toBe(first.body.authorizationId);
      // Under its own key, a different body is a duplicate transmission, as always.
      const third = await h.network(AUTHORIZATIONS, { ...body, amount: 301 }, attacker);
      expect(third.body.responseCode).toBe('94');
      expect((await h.network(AUTHORIZATIONS, body, attacker)).body).toEqual(second.body);
      expect((await h.network(AUTHORIZATIONS, body)).body).toEqual(first.body);
    });

    it('compares transmissionTime as an instant, to the second', async () => {
      const forms = ['2026-11-23T09:00:00Z', '2026-11-23T09:00:00.000Z', '2026-11-23T09:00:00.999Z', '2026-11-23T09:00:00+00:00',
        '2026-11-23T12:00:00+03:00', '2026-11-23T09:00:00'];
      const body = h.purchase(holder, { acquirerId: MINE, amount: 400, transmissionTime: forms[0] });
      const first = await h.network(AUTHORIZATIONS, body);
      expect(first.body.responseCode).toBe('00');
      const [before] = await h.countRows('authorizations');
      for (const transmissionTime of forms) {
        expect((await h.network(AUTHORIZATIONS, { ...body, transmissionTime })).body).toEqual(first.body);
      }
      expect(await h.countRows('authorizations')).toEqual([before]);
      // The next second is another request.
      const next = await h.network(AUTHORIZATIONS, { ...body, transmissionTime: '2026-11-23T09:00:01Z' });
      expect(next.body.authorizationId).not.toBe(first.body.authorizationId);
    });
  });
});

// Over the wire: the authorization fast path and (SQLite on disk) the authorization worker thread.
forEachBackend((backend) => {
  const paths = backend === 'sqlite' ? [{ worker: false }, { worker: true }] : [{ worker: false }];
  describe.each(paths)('served over HTTP (worker thread: $worker)', ({ worker }) => {
    let server: TestServer;
    beforeAll(async () => { server = await startTestServer(backend, { authorizationWorker: worker }); });
    afterAll(() => server.close());

    it('refuses another acquirer with 403 on the fast path, and answers its own', async () => {
      const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/v1/admin/network-clients`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'wire', acquirerIds: [MINE] }) });
      const client = await created.json() as Client;
      const holder = await serverCardholder(server);
      const send = async (body: unknown) => {
        const raw = JSON.stringify(body);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await fetch(server.url + AUTHORIZATIONS, { method: 'POST', body: raw, headers: {
          'content-type': 'application/json', 'x-key-id': client.keyId, 'x-timestamp': timestamp,
          'x-signature': signNetworkRequest(client.secret, timestamp, 'POST', AUTHORIZATIONS, raw) } });
        return { status: res.status, body: await res.json() as Record<string, unknown> };
      };
      const answered = server.fastPath.answered;
      const refused = await send({ ...webPurchase(holder, 1_000), acquirerId: THEIRS });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('acquirer_not_permitted');
      expect(refused.body).not.toHaveProperty('responseCode');
      const ok = await send({ ...webPurchase(holder, 1_000), acquirerId: MINE });
      expect(ok.body.responseCode).toBe('00');
      expect(server.fastPath.answered).toBe(answered + 2);
      const rows = await server.deps.handle.db.selectFrom('authorizations').select(['acquirer_id', 'network_client']).execute();
      expect(rows).toEqual([{ acquirer_id: MINE, network_client: client.keyId }]);
    });
  });
});
