// Attacks on the session's security-relevant changes: PostgreSQL group commit (the over-limit
// allowance once, idempotency across lanes, a failing unit among its neighbours), the card-testing
// guard under a mixed burst, rate limits and staff keys through the verbs, and no PAN in logs or
// error answers. Both backends; PostgreSQL (several lanes, several instances) is the point.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadKeyring } from '../../src/crypto/keyring.js';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/card-testing-guard.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { pgGroupCommitFor, type PgBatchStats } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { backends, forEachBackend } from '../support/backends.js';
import { BURST_ENV, cardTestingState, wrongCvv2, wrongExpiry } from '../support/card-testing.js';
import type { Harness } from '../support/harness.js';
import { useFleet, type Fleet } from '../support/multi-instance.js';
import { setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';
import { useHarness } from '../support/use-harness.js';

type Holder = Awaited<ReturnType<Harness['cardholder']>>;
const LIMIT = 100_000;
const OVER = 110_000; // above the limit, within limit + 20 %

forEachBackend((backend) => {
  const h = useHarness(backend, { env: BURST_ENV });
  const advice = (holder: Holder, overrides: Record<string, unknown> = {}) =>
    ({ ...h.purchase(holder, overrides), mti: '0120', responseCode: '00' });
  const overLimitRows = (accountId: string) => h.deps.handle.db.selectFrom('authorizations')
    .select(['id', 'status', 'over_limit']).where('account_id', '=', accountId).where('over_limit', '=', 1).execute();
  const account = (id: string) => h.deps.handle.db.selectFrom('card_accounts')
    .select(['over_limit_used', 'over_limit_auth_id']).where('id', '=', id).executeTakeFirstOrThrow();

  describe('the over-limit allowance under group commit', () => {
    it('authorizations and advices past the limit racing on one account spend it exactly once', async () => {
      const holder = await h.cardholder(LIMIT);
      const sends = [
        ...Array.from({ length: 12 }, () => h.authorize(holder, { amount: OVER })),
        ...Array.from({ length: 8 }, () => h.network('/v1/network/authorization-advices', advice(holder, { amount: OVER }))),
      ];
      const answers = await Promise.all(sends);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
      const approvedOver = answers.slice(0, 12).filter((a) => a.body.approved && a.body.overLimit);
      expect(approvedOver.length).toBeLessThanOrEqual(1);
      const rows = await overLimitRows(holder.card.accountId);
      expect(rows).toHaveLength(1);
      expect(await account(holder.card.accountId)).toEqual({ over_limit_used: 1, over_limit_auth_id: rows[0].id });
    });

    it('the same full reversal sent 6 times at once, with over-limit authorizations racing it, releases once and leaves at most one live over-limit approval', async () => {
      const holder = await h.cardholder(LIMIT);
      const first = await h.authorize(holder, { amount: OVER });
      expect(first.body).toMatchObject({ approved: true, overLimit: true });
      const reversal = { authorizationId: first.body.authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() };
      const raw = JSON.stringify(reversal);
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, () => h.network('/v1/network/reversals', reversal, { raw })),
        ...Array.from({ length: 6 }, () => h.authorize(holder, { amount: OVER })),
      ]);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
      const reversals = answers.slice(0, 6).map((a) => a.body);
      // Setting the same amount twice changes nothing (SPEC §5): the hold is released once in all.
      expect(reversals.map((r) => r.responseCode)).toEqual(Array(6).fill('00'));
      expect(reversals.map((r) => r.reversedAmount).sort((a, b) => b - a)).toEqual([OVER, 0, 0, 0, 0, 0]);
      const live = (await overLimitRows(holder.card.accountId)).filter((r) => r.status !== 'reversed');
      expect(live.length).toBeLessThanOrEqual(1);
      expect(await account(holder.card.accountId)).toEqual({ over_limit_used: live.length, over_limit_auth_id: live[0]?.id ?? null });
      // Never more than one over-limit approval answered at a time; at most one after the reversal.
      expect(answers.slice(6).filter((a) => a.body.approved).length).toBeLessThanOrEqual(1);
    });
  });

  describe('idempotency across lanes', () => {
    it('the same authorization and the same advice, each retransmitted 8 times at once, are stored once and answered alike', async () => {
      const holder = await h.cardholder(LIMIT);
      const auth = h.purchase(holder, { amount: 1_000 });
      const adv = advice(holder, { amount: 2_000 });
      const authRaw = JSON.stringify(auth);
      const advRaw = JSON.stringify(adv);
      const answers = await Promise.all([
        ...Array.from({ length: 8 }, () => h.network('/v1/network/authorizations', auth, { raw: authRaw })),
        ...Array.from({ length: 8 }, () => h.network('/v1/network/authorization-advices', adv, { raw: advRaw })),
      ]);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
      expect(new Set(answers.slice(0, 8).map((a) => a.text)).size).toBe(1);
      expect(new Set(answers.slice(8).map((a) => a.text)).size).toBe(1);
      const stored = await h.deps.handle.db.selectFrom('authorizations').select(['rrn'])
        .where('account_id', '=', holder.card.accountId).execute();
      expect(stored.map((s) => s.rrn).sort()).toEqual([auth.rrn, adv.rrn].sort());
    });
  });

  describe('a failing unit among its batch neighbours', () => {
    it('neighbours are answered and committed, the failing unit leaves nothing and gets only its own error', async () => {
      const holder = await h.cardholder(LIMIT);
      const batches: PgBatchStats[] = [];
      if (backend === 'postgres') pgGroupCommitFor(h.deps.handle)!.observe((b) => batches.push(b));
      const bucket = `attack:${randomBytes(4).toString('hex')}`;
      // A slow unit holds the card's lane, so what follows queues up and forms one batch.
      const blocker = runNetworkVerb(h.deps, async (trx) => {
        if (backend === 'postgres') await sql`select pg_sleep(0.3)`.execute(trx);
      }, holder.pan);
      const own = new Error('the unit failed');
      const failing = runNetworkVerb(h.deps, async (trx) => {
        await trx.insertInto('rate_limits').values({ bucket, window_start: 0, hits: 1 }).execute();
        throw own;
      }, holder.pan);
      const broken = runNetworkVerb(h.deps, async (trx) => {
        await sql`select * from no_such_table`.execute(trx);
      }, holder.pan);
      const neighbours = Array.from({ length: 6 }, () => h.authorize(holder, { amount: 1_000 }));
      const [f, b, ...answers] = await Promise.allSettled([failing, broken, ...neighbours]);
      await blocker;
      expect(f).toEqual({ status: 'rejected', reason: own });
      expect(b.status).toBe('rejected');
      expect(String((b as PromiseRejectedResult).reason)).not.toContain(holder.pan);
      for (const a of answers) {
        expect(a.status).toBe('fulfilled');
        expect((a as PromiseFulfilledResult<Awaited<ReturnType<Harness['authorize']>>>).value.body).toMatchObject({ approved: true, responseCode: '00' });
      }
      expect(await h.deps.handle.db.selectFrom('rate_limits').select('bucket').where('bucket', '=', bucket).execute()).toEqual([]);
      expect(await h.deps.handle.db.selectFrom('authorizations').select('id').where('account_id', '=', holder.card.accountId).execute()).toHaveLength(6);
      // On PostgreSQL the failing units shared a batch with neighbours, which ran again with savepoints.
      if (backend === 'postgres') expect(batches.some((b) => b.rerun && b.size > b.failed && b.failed >= 1)).toBe(true);
    });
  });

  describe('card testing: 30 wrong guesses at once through authorizations, advices and 3-D Secure', () => {
    it('freezes at 5, judges at most 5, and only a step-up code unfreezes and starts the count again', async () => {
      await setThreeDsThreshold(h, null);
      const holder = await h.cardholder(LIMIT);
      const authCvv = Array.from({ length: 10 }, (_, i) => h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2, i), amount: 100 }));
      const authExp = Array.from({ length: 5 }, () => h.authorize(holder, { expiry: wrongExpiry(holder.expiry), amount: 100 }));
      const advices = Array.from({ length: 10 }, (_, i) => h.network('/v1/network/authorization-advices',
        advice(holder, { cvv2: wrongCvv2(holder.cvv2, 20 + i), amount: 100, responseCode: '05' })));
      const threeDs = Array.from({ length: 5 }, () => startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry), amount: 100 }));
      const answers = await Promise.all([...authCvv, ...authExp, ...advices, ...threeDs]);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
      const auths = answers.slice(0, 15).map((a) => a.body.responseCode);
      for (const code of auths) expect(['N7', '54', '62']).toContain(code);
      // A verdict on the guess (N7 / 54) is given at most 5 times; the rest see a frozen card.
      expect(auths.filter((c) => c !== '62').length).toBeLessThanOrEqual(CARD_TESTING_FREEZE_AFTER);
      for (const a of answers.slice(15, 25)) expect(a.body.responseCode).toBe('00');
      for (const a of answers.slice(25)) expect(a.body.transStatus).toBe('N');
      expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
      const frozenAudit = await h.deps.handle.db.selectFrom('audit_log').select('id')
        .where('action', '=', 'card.frozen').where('subject', '=', holder.card.id).execute();
      expect(frozenAudit).toHaveLength(1);
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('62');

      const unfreeze = (otp?: string) => h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/unfreeze`, otp ? { otp } : {});
      expect((await unfreeze()).status).not.toBe(200);
      expect((await unfreeze('000000')).status).not.toBe(200);
      expect((await cardTestingState(h, holder.card.id)).status).toBe('frozen');
      expect((await unfreeze(await h.otp(holder.totpSecret))).status).toBe(200);
      expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'active', verification_failures: 0 });
      expect((await h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2), amount: 100 })).body.responseCode).toBe('N7');
      expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'active', verification_failures: 1 });
    });
  });

  describe('staff keys on the admin routes that now call verbs', () => {
    const routes: Array<[string, string, unknown]> = [
      ['POST', '/v1/admin/network-clients', { name: 'x', acquirerIds: ['412345'] }],
      ['POST', `/v1/admin/network-clients/net_test/rotate`, {}],
      ['POST', '/v1/admin/jobs/expire-holds', {}],
      ['GET', '/v1/admin/ledger/check', undefined],
      ['POST', '/v1/admin/keys', { name: 'x', role: 'ops' }],
    ];
    it('a revoked key and a rotated-out key past its overlap are refused everywhere; an auditor cannot act', async () => {
      const make = async (role: string) => (await h.admin('POST', '/v1/admin/keys', { name: `k${randomBytes(3).toString('hex')}`, role })).body as { id: string; key: string };
      const revoked = await make('admin');
      expect((await h.admin('DELETE', `/v1/admin/keys/${revoked.id}`)).status).toBeLessThan(300);
      const rotated = await make('admin');
      expect((await h.admin('POST', `/v1/admin/keys/${rotated.id}/rotate`, { overlapSeconds: 60 })).status).toBe(200);
      h.clock.advance(61_000);
      const auditor = await make('auditor');
      for (const [method, path, body] of routes) {
        expect((await h.admin(method, path, body, revoked.key)).status, `${method} ${path} revoked`).toBe(401);
        expect((await h.admin(method, path, body, rotated.key)).status, `${method} ${path} rotated out`).toBe(401);
        if (method !== 'GET') expect((await h.admin(method, path, body, auditor.key)).status, `${method} ${path} auditor`).toBe(403);
      }
      const clients = await h.deps.handle.db.selectFrom('network_clients').select('key_id').execute();
      expect(clients.map((c) => c.key_id)).toEqual(['net_test']);
    });
  });

  describe('no PAN in logs or error answers', () => {
    it('the logs of every request above and a refused burst name no PAN', async () => {
      const holder = await h.cardholder(LIMIT);
      const bad = await h.network('/v1/network/authorizations', { ...h.purchase(holder), amount: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.text).not.toContain(holder.pan);
      const forged = await h.network('/v1/network/authorizations', h.purchase(holder), { secret: 'wrong-secret-0123456789abcdef' });
      expect(forged.status).toBe(401);
      expect(forged.text).not.toContain(holder.pan);
      const pans = [holder.pan];
      const cards = await h.deps.handle.db.selectFrom('cards').select('id').execute();
      for (const c of cards) pans.push((await h.cardDetails(c.id)).pan);
      const logs = h.logLines.join('');
      for (const pan of pans) expect(logs).not.toContain(pan);
    });
  });
});

// Rate limits through the new verb: per username, per address, atomically under a burst.
forEachBackend((backend) => {
  describe('login per username', () => {
    const h = useHarness(backend, { env: { RATE_LIMIT_LOGIN_PER_MIN: '1000', RATE_LIMIT_SENSITIVE_PER_MIN: '5' } });
    it('20 sign-ins at once for one username (any case) pass the limiter at most 5 times; another username still signs in', async () => {
      const victim = await h.createCustomer();
      const other = await h.createCustomer();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h.request('POST', '/v1/banking/sessions',
        { body: { username: i % 2 ? victim.username.toUpperCase() : victim.username, password: 'wrong password!' } })));
      expect(answers.filter((a) => a.status !== 429).length).toBeLessThanOrEqual(5);
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(15);
      const right = await h.request('POST', '/v1/banking/sessions', { body: { username: victim.username, password: victim.password } });
      expect(right.status).toBe(429);
      expect((await h.request('POST', '/v1/banking/sessions', { body: { username: other.username, password: other.password } })).status).toBe(200);
    });
  });

  describe('login per address', () => {
    const h = useHarness(backend, { env: { RATE_LIMIT_LOGIN_PER_MIN: '5', RATE_LIMIT_SENSITIVE_PER_MIN: '1000' } });
    it('sign-ins for 12 usernames at once from one address pass at most 5 times', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => h.request('POST', '/v1/banking/sessions',
        { body: { username: `nobody${i}`, password: 'wrong password!' } })));
      expect(answers.filter((a) => a.status !== 429).length).toBeLessThanOrEqual(5);
      h.clock.advance(60_000);
      expect((await h.request('POST', '/v1/banking/sessions', { body: { username: 'nobody', password: 'wrong password!' } })).status).not.toBe(429);
    });
  });

  describe('admin calls per staff key and per address', () => {
    const h = useHarness(backend, { env: { RATE_LIMIT_ADMIN_PER_MIN: '6' } });
    it('a burst of admin calls passes at most 6 times in the window', async () => {
      const answers = await Promise.all(Array.from({ length: 15 }, () => h.admin('GET', '/v1/admin/products/internet-shopping')));
      expect(answers.filter((a) => a.status !== 429).length).toBeLessThanOrEqual(6);
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(9);
    });
  });
});

// Two service instances on one PostgreSQL database: the allowance and idempotency across them.
if (backends().includes('postgres')) {
  describe('postgres: two instances on one database', () => {
    const fleet = useFleet({ databaseUrl: () => process.env.TEST_DATABASE_URL!, instances: 2 });
    const signed = async (url: string, path: string, body: unknown, raw = JSON.stringify(body)) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await fetch(url + path, { method: 'POST', body: raw, headers: {
        'content-type': 'application/json', 'x-key-id': fleet.networkKeyId, 'x-timestamp': timestamp,
        'x-signature': signNetworkRequest(fleet.networkSecret, timestamp, 'POST', path, raw) } });
      return { status: res.status, text: await res.text() };
    };
    async function holderOn(f: Fleet) {
      const url = f.servers[0].url;
      const username = `atk${randomBytes(4).toString('hex')}`;
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(url + path, {
        method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }).then((r) => r.json() as Promise<any>);
      await post('/v1/admin/customers', { username, password: 'correct horse battery', name: 'Attack', currentAccountBalance: 1_000_000 }, { authorization: `Bearer ${f.adminKey}` });
      const session = await post('/v1/banking/sessions', { username, password: 'correct horse battery' });
      const card = await post('/v1/banking/cards', { limit: LIMIT }, { authorization: `Bearer ${session.token}` });
      const keyring = await loadKeyring(f.handle.db, f.masterKey);
      const row = await f.handle.db.selectFrom('cards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow();
      const pan = keyring.decrypt(row.pan_ciphertext, row.pan_key_id, `pan:${row.id}`);
      return { row, pan, cvv2: keyring.cvv2(pan, row.expiry) };
    }
    let stan = 0;
    const body = (c: Awaited<ReturnType<typeof holderOn>>, amount: number) => {
      stan += 1;
      const s = String(stan).padStart(6, '0');
      return { mti: '0100', pan: c.pan, expiry: c.row.expiry, cvv2: c.cvv2, processingCode: '000000', amount, currency: '414',
        transmissionTime: new Date().toISOString(), stan: s, rrn: `812${s.padStart(9, '0')}`, mcc: '5732', posEntryMode: '812',
        posConditionCode: '59', acquirerId: '412345', merchantId: 'M-3001', merchantName: 'Attack Shop', merchantCountry: 'KW' };
    };

    it('over-limit authorizations and advices on both instances spend the allowance once; one advice sent to both is stored once', async () => {
      const c = await holderOn(fleet);
      const urls = fleet.servers.map((s) => s.url);
      const twin = { ...body(c, 1_000), mti: '0120', responseCode: '00' };
      const twinRaw = JSON.stringify(twin);
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => signed(urls[i % 2], '/v1/network/authorizations', body(c, OVER))),
        ...Array.from({ length: 10 }, (_, i) => signed(urls[i % 2], '/v1/network/authorization-advices', { ...body(c, OVER), mti: '0120', responseCode: '00' })),
        ...Array.from({ length: 6 }, (_, i) => signed(urls[i % 2], '/v1/network/authorization-advices', twin, twinRaw)),
      ]);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
      expect(answers.slice(0, 20).filter((a) => JSON.parse(a.text).approved).length).toBeLessThanOrEqual(1);
      expect(new Set(answers.slice(30).map((a) => a.text)).size).toBe(1);
      const { db } = fleet.handle;
      const over = await db.selectFrom('authorizations').select('id').where('account_id', '=', c.row.account_id).where('over_limit', '=', 1).execute();
      expect(over).toHaveLength(1);
      const twins = await db.selectFrom('authorizations').select('id').where('account_id', '=', c.row.account_id).where('rrn', '=', twin.rrn).execute();
      expect(twins).toHaveLength(1);
      expect(await db.selectFrom('card_accounts').select(['over_limit_used', 'over_limit_auth_id']).where('id', '=', c.row.account_id).executeTakeFirstOrThrow())
        .toEqual({ over_limit_used: 1, over_limit_auth_id: over[0].id });
      for (const s of fleet.servers) expect(s.output()).not.toContain(c.pan);
    });
  });
}


