// Attacks on the merchants a card account knows (SPEC §7; store/known-merchants.repository.ts): one
// row per account and merchant in known_merchants, written by the first approved purchase or
// verification there (on PostgreSQL a CTE of the authorization's one write statement). Bursts at
// one merchant for one account and for many, on two instances of one PostgreSQL schema; a batch
// whose failing unit wrote a known merchant before it failed; every kind of request that must make
// nothing known; merchant ids that differ by a byte. After each, the table is compared with the
// committed authorizations: a row for exactly the accounts and merchants with an approved purchase
// or a verification, and 3-D Secure answers Y only at those and below the ceiling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestSchema } from '../../src/http/network/schemas.js';
import { groupCommitFor } from '../../src/runtime/group-commit.js';
import { pgGroupCommitFor } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { authorize } from '../../src/service/network/authorize.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { forEachBackend } from '../support/backends.js';
import { BURST_ENV, wrongCvv2 } from '../support/card-testing.js';
import { Harness, NETWORK_KEY_ID } from '../support/harness.js';
import type { Holder } from '../support/money.js';
import { startThreeDs } from '../support/three-ds.js';
import { useHarness } from '../support/use-harness.js';

// SPEC §7's list, written out here as the oracle the table is checked against.
const PROVES_CARD = ['approved', 'approved_over_limit', 'verified'];
const CEILING_FILS = 20_000; // the default product's frictionless ceiling

forEachBackend((backend) => {
  const h = useHarness(backend, { env: BURST_ENV });
  // PostgreSQL: a second instance on the same schema, as a second server process.
  let second: Harness | undefined;
  beforeAll(async () => {
    if (backend === 'postgres') second = await Harness.create({ backend, env: BURST_ENV, joining: h as Harness });
  });
  afterAll(async () => { await second?.close(); });
  const instances = () => (second ? [h, second] : [h]);

  const accountOf = (x: Holder) => x.card.accountId as string;

  /** The table against the committed authorizations, both ways, across the whole database. */
  async function knownMatchesApprovals() {
    const db = h.deps.handle.db;
    const known = (await db.selectFrom('known_merchants').select(['account_id', 'merchant_id']).execute())
      .map((r) => JSON.stringify([r.account_id, r.merchant_id])).sort();
    const proven = (await db.selectFrom('authorizations').select(['account_id', 'merchant_id']).distinct()
      .where('account_id', 'is not', null).where('rule_id', 'in', PROVES_CARD).execute())
      .map((r) => JSON.stringify([r.account_id, r.merchant_id])).sort();
    expect(known).toEqual(proven);
    return known.map((k) => JSON.parse(k) as [string, string]);
  }
  const knownTo = async (x: Holder) => (await knownMatchesApprovals()).filter(([a]) => a === accountOf(x)).map(([, m]) => m).sort();
  const threeDs = async (x: Holder, merchantId: string, amount = 1_000) => (await startThreeDs(h, x, { amount, merchantId })).body.transStatus as string;

  async function cardholders(n: number): Promise<Holder[]> {
    const out: Holder[] = [];
    for (let i = 0; i < n; i++) out.push(await h.cardholder(100_000));
    return out;
  }

  it('bursts at one merchant, one account many times and many accounts at once, on every instance: one row per account that was approved there', async () => {
    const [one, ...many] = await cardholders(7);
    const stranger = await h.cardholder(100_000);
    const on = (i: number) => instances()[i % instances().length];
    // Requests are made by `h` (its STAN counter keeps every key distinct), sent by either instance.
    const send = (i: number, x: Holder, overrides: Record<string, unknown>) => on(i).network('/v1/network/authorizations', h.purchase(x, overrides));
    const burst = [
      ...Array.from({ length: 30 }, (_, i) => send(i, one, { amount: 500, merchantId: 'M-BURST' })),
      ...Array.from({ length: 2 }, (_, i) => send(i, one, { amount: 500, merchantId: 'M-BURST', cvv2: wrongCvv2(one.cvv2, i) })),
      ...Array.from({ length: 4 }, (_, i) => send(i, one, { amount: 500, merchantId: 'M-BURST-REFUND', processingCode: '200000' })),
      ...many.flatMap((x, j) => [
        send(j, x, { amount: 500, merchantId: 'M-BURST' }), send(j + 1, x, { amount: 0, merchantId: 'M-BURST' }),
        send(j, x, { amount: 500, merchantId: 'M-BURST', cvv2: wrongCvv2(x.cvv2) }),
      ]),
      // Declined at M-BURST only, and refunded there: never known.
      send(0, stranger, { amount: 500, merchantId: 'M-BURST', cvv2: wrongCvv2(stranger.cvv2) }),
      send(1, stranger, { amount: 500, merchantId: 'M-BURST', processingCode: '200000' }),
    ];
    // 3-D Secure asks meanwhile, on both instances, locking the same accounts.
    const asks = [one, stranger, ...many].flatMap((x, i) => [0, 1].map((k) =>
      on(i + k).network('/v1/network/3ds/authentications', { pan: x.pan, expiry: x.expiry, amount: 1_000, currency: '414', merchantId: 'M-BURST', merchantName: 'Burst' })));
    const asked = await Promise.all(asks);
    expect(asked.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
    // The stranger is never known there, whatever committed first.
    expect(asked.slice(2, 4).map((a) => a.body.transStatus)).toEqual(['C', 'C']);
    const answers = await Promise.all(burst);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.text)).toEqual([]);
    expect(answers.slice(0, 30).every((a) => a.body.approved)).toBe(true);
    expect(answers.slice(30, 32).map((a) => a.body.responseCode)).toEqual(['N7', 'N7']);
    expect(answers.slice(32, 36).every((a) => a.body.reason === 'refund_approved')).toBe(true);
    expect(answers.at(-1)!.body.reason).toBe('refund_approved');

    expect(await knownTo(one)).toEqual(['M-BURST']);
    for (const x of many) expect(await knownTo(x)).toEqual(['M-BURST']);
    expect(await knownTo(stranger)).toEqual([]);
    expect(await threeDs(one, 'M-BURST')).toBe('Y');
    expect(await threeDs(one, 'M-BURST-REFUND')).toBe('C');
    expect(await threeDs(many[3], 'M-BURST', CEILING_FILS - 1)).toBe('Y');
    expect(await threeDs(many[3], 'M-BURST', CEILING_FILS)).toBe('C');
    expect(await threeDs(stranger, 'M-BURST')).toBe('C');
  }, 30_000);

  it('a batch whose units fail after their writes: each failed unit\'s known merchant is undone, its neighbours\' kept', async () => {
    const [a, b] = await cardholders(2);
    const request = (x: Holder, overrides: Record<string, unknown>) => AuthorizationRequestSchema.parse(h.purchase(x, overrides));
    const hint = (r: ReturnType<typeof request>) => ({ key: idempotencyKey(NETWORK_KEY_ID, r), fingerprint: h.deps.keyring.fingerprint(r.pan) });
    // All on one lane in one turn of the event loop: one batch (PostgreSQL), one transaction (SQLite).
    const purchase = (r: ReturnType<typeof request>) =>
      runNetworkVerb(h.deps, (trx) => authorize(trx, h.deps, { request: r, networkClient: NETWORK_KEY_ID }), 'attack', hint(r));
    const failing = (r: ReturnType<typeof request>) => runNetworkVerb(h.deps, async (trx) => {
      const out = await authorize(trx, h.deps, { request: r, networkClient: NETWORK_KEY_ID });
      // Approved, or a verification's 85: either proves the card.
      expect(['00', '85']).toContain(out.response.responseCode);
      throw new Error('the unit fails after its writes');
    }, 'attack', hint(r));
    const batches: Array<{ size: number; rerun: boolean }> = [];
    const handle = h.deps.handle;
    if (backend === 'postgres') pgGroupCommitFor(handle)!.observe((b) => batches.push(b));
    else groupCommitFor(handle).observe((b) => batches.push(b));
    const outcomes = await Promise.allSettled([
      // Only a failed unit was approved at M-FAIL for a; b's approval there stands.
      failing(request(a, { amount: 1_000, merchantId: 'M-FAIL' })), purchase(request(b, { amount: 1_000, merchantId: 'M-FAIL' })),
      // The failed unit wrote (a, M-BEFORE) first, then an approval there commits: known.
      failing(request(a, { amount: 1_000, merchantId: 'M-BEFORE' })), purchase(request(a, { amount: 1_000, merchantId: 'M-BEFORE' })),
      // An approval wrote (a, M-AFTER), then a failed unit met it: still known.
      purchase(request(a, { amount: 0, merchantId: 'M-AFTER' })), failing(request(a, { amount: 1_000, merchantId: 'M-AFTER' })),
      failing(request(b, { amount: 0, merchantId: 'M-VERIFY-FAIL' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    // One batch, rolled back whole and run again with a savepoint per unit.
    expect(batches).toMatchObject([{ size: 7, rerun: true }]);
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toContain('the unit fails after its writes');
    expect(await knownTo(a)).toEqual(['M-AFTER', 'M-BEFORE']);
    expect(await knownTo(b)).toEqual(['M-FAIL']);
    expect(await threeDs(a, 'M-FAIL')).toBe('C');
    expect(await threeDs(b, 'M-FAIL')).toBe('Y');
    expect(await threeDs(b, 'M-VERIFY-FAIL')).toBe('C');
  });

  it('refunds, declines, advices, reversals and 3-D Secure make nothing known; a reversed or superseded approval still counts', async () => {
    const x = await h.cardholder(100_000);
    type Answer = Awaited<ReturnType<Harness['request']>>;
    const ok = (r: Answer) => { expect(r.status, r.text).toBe(200); return r; };
    const advice = async (overrides: Record<string, unknown>) => ok(await h.network('/v1/network/authorization-advices', { ...h.purchase(x, overrides), mti: '0120' }));
    const reverse = async (authorizationId: string) => ok(await h.network('/v1/network/reversals', {
      authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
    }));

    expect(ok(await h.authorize(x, { amount: 1_000, merchantId: 'M-REFUND', processingCode: '200000' })).body.reason).toBe('refund_approved');
    expect(ok(await h.authorize(x, { amount: 1_000, merchantId: 'M-CVV', cvv2: wrongCvv2(x.cvv2) })).body.approved).toBe(false);
    expect(ok(await h.authorize(x, { amount: 500_000, merchantId: 'M-FUNDS' })).body.approved).toBe(false);
    expect(ok(await h.authorize(x, { amount: 0, merchantId: 'M-VERIFY-BAD', cvv2: wrongCvv2(x.cvv2, 1) })).body.approved).toBe(false);
    // The network's decisions, approved or not, at merchants the issuer never approved.
    expect((await advice({ amount: 1_000, merchantId: 'M-ADVICE', responseCode: '00' })).body.responseCode).toBe('00');
    await advice({ amount: 0, merchantId: 'M-ADVICE-0', responseCode: '00' });
    await advice({ amount: 1_000, merchantId: 'M-ADVICE-NO', responseCode: '05' });
    // An advice approving what the issuer declined (same acquirer and RRN).
    const declined = ok(await h.authorize(x, { amount: 1_000, merchantId: 'M-REPLACED', cvv2: wrongCvv2(x.cvv2, 2), rrn: '777000000001' }));
    expect(declined.body.approved).toBe(false);
    await advice({ amount: 1_000, merchantId: 'M-REPLACED', responseCode: '00', rrn: '777000000001' });
    // 3-D Secure answers, even a frictionless one elsewhere, teach nothing.
    expect(await threeDs(x, 'M-3DS')).toBe('C');
    expect(await knownTo(x)).toEqual([]);

    // Approved, then reversed in full; approved, then superseded by a declining advice; over the limit.
    const reversed = ok(await h.authorize(x, { amount: 1_000, merchantId: 'M-REVERSED' }));
    expect((await reverse(reversed.body.authorizationId)).body.approved).toBe(true);
    ok(await h.authorize(x, { amount: 1_000, merchantId: 'M-SUPERSEDED', rrn: '777000000002' }));
    await advice({ amount: 1_000, merchantId: 'M-SUPERSEDED', responseCode: '05', rrn: '777000000002' });
    expect(ok(await h.authorize(x, { amount: 105_000, merchantId: 'M-OVER' })).body).toMatchObject({ approved: true, overLimit: true });
    const rules = await h.deps.handle.db.selectFrom('authorizations').select(['merchant_id', 'rule_id', 'status', 'superseded_by'])
      .where('account_id', '=', accountOf(x)).where('merchant_id', 'in', ['M-REVERSED', 'M-SUPERSEDED', 'M-OVER']).where('source', '<>', 'advice').orderBy('merchant_id').execute();
    expect(rules).toMatchObject([
      { merchant_id: 'M-OVER', rule_id: 'approved_over_limit' },
      { merchant_id: 'M-REVERSED', rule_id: 'approved', status: 'reversed' },
      { merchant_id: 'M-SUPERSEDED', rule_id: 'approved', superseded_by: expect.any(String) },
    ]);
    expect(await knownTo(x)).toEqual(['M-OVER', 'M-REVERSED', 'M-SUPERSEDED']);
    for (const m of ['M-OVER', 'M-REVERSED', 'M-SUPERSEDED']) expect(await threeDs(x, m)).toBe('Y');
    for (const m of ['M-REFUND', 'M-CVV', 'M-FUNDS', 'M-VERIFY-BAD', 'M-ADVICE', 'M-ADVICE-0', 'M-ADVICE-NO', 'M-REPLACED', 'M-3DS']) {
      expect(await threeDs(x, m), m).toBe('C');
    }
  });

  describe('merchant ids with odd text', () => {
    const quoted = `M-'quote"; DROP TABLE known_merchants;--`.slice(0, 32);
    const odd = [
      'متجر الكتب الخليجي للبيع المباشر', // Arabic, 32 characters
      quoted,
      'M-%_\\x',
      'x'.repeat(32),
      '🛒'.repeat(16), // 32 UTF-16 units, the schema's limit
      'Café', // composed é
    ];
    // Near misses of each: a byte apart, never the same merchant.
    const near = ['متجر الكتب الخليجي للبيع المباشر'.slice(0, 31), quoted.slice(0, 31), 'M-%_\\X', 'x'.repeat(31), '🛒'.repeat(15), 'Cafe\u0301', 'M-%', 'M-_'];

    it('each known by its own exact text, to its own account only', async () => {
      const [x, y] = await cardholders(2);
      for (const m of odd) expect((await h.authorize(x, { amount: 500, merchantId: m })).body.approved, m).toBe(true);
      expect((await h.authorize(x, { amount: 500, merchantId: 'x'.repeat(33) })).status).toBe(400);
      expect(await knownTo(x)).toEqual([...odd].sort());
      expect(await knownTo(y)).toEqual([]);
      for (const m of odd) {
        expect(await threeDs(x, m), m).toBe('Y');
        expect(await threeDs(y, m), m).toBe('C');
      }
      for (const m of near) expect(await threeDs(x, m), m).toBe('C');
    });

    it('an unpaired surrogate is malformed (400) everywhere a merchant id comes: PostgreSQL would store U+FFFD, making two ids one', async () => {
      const x = await h.cardholder(100_000);
      const before = await h.countRows('authorizations', 'audit_log');
      const refused = [
        await h.authorize(x, { amount: 500, merchantId: 'M-\ud800' }),
        await h.authorize(x, { amount: 500, merchantId: 'M-\udc00x' }),
        await h.network('/v1/network/authorization-advices', { ...h.purchase(x, { amount: 500, merchantId: 'M-\udbff' }), mti: '0120' }),
        await startThreeDs(h, x, { amount: 1_000, merchantId: 'M-\udbff' }),
      ];
      for (const res of refused) {
        expect(res.status, res.text).toBe(400);
        expect(res.text).toContain('must not contain an unpaired surrogate');
      }
      expect(await h.countRows('authorizations', 'audit_log')).toEqual(before);
      // A pair is one character, taken as it is.
      expect((await h.authorize(x, { amount: 500, merchantId: 'M-\ud83d\uded2' })).body.approved).toBe(true);
      expect(await knownTo(x)).toEqual(['M-🛒']);
      expect(await threeDs(x, 'M-\ud83d\uded3')).toBe('C');
    });
  });
});
