// SPEC §5 split shipments: one authorization cleared in parts. acquirerId + rrn + processingCode +
// clearingSequence identify a part (a repeat is a duplicate, the next part posts); each part posts
// its own amount and shrinks the hold pro rata (half-up, never below zero); the last part releases
// what is left and the authorization is posted. Also: the network's billingAmount on clearings.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, authorization, clear, expectLedgerOk, recordFor, reverse, setRate, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
    await setRate(h, 'USD', '0.3061');
  });

  const part = (auth: { request: Record<string, any>; authCode: string }, sequence: number, count: number, amount: number, extra: Record<string, unknown> = {}) =>
    recordFor(auth.request, auth.authCode, { amount, clearingSequence: sequence, clearingCount: count, ...extra });
  const clearingRow = (id: string) => h.deps.handle.db.selectFrom('clearings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('split shipments', () => {
    it('posts each part, shrinks the hold pro rata, and the last part releases the rest and posts the authorization', async () => {
      const before = await account(h, holder);
      const auth = await approvedPurchase(h, holder, { amount: 30_000 });
      const [p1] = await clear(h, [part(auth, 1, 3, 10_000)]);
      expect(p1.status).toBe('posted');
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 20_000 });
      expect(await clearingRow(p1.transactionId!)).toMatchObject({ clearing_sequence: 1, clearing_count: 3, billing_fils: 10_000, difference_fils: 0 });
      // A repeat of part 1 posts nothing; part 2 (same acquirerId + rrn + processingCode) posts.
      const [repeat, p2] = await clear(h, [part(auth, 1, 3, 10_000), part(auth, 2, 3, 12_000)]);
      expect(repeat).toEqual({ index: 0, status: 'duplicate', transactionId: p1.transactionId });
      expect(p2.status).toBe('posted');
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 8_000 });
      const [p3] = await clear(h, [part(auth, 3, 3, 5_000)]);
      expect(p3.status).toBe('posted');
      expect(await clearingRow(p3.transactionId!)).toMatchObject({ difference_fils: -3_000 });
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'cleared', hold_fils: 0, hold_transfer_id: null });
      const after = await account(h, holder);
      expect(after.held_fils).toBe(before.held_fils);
      expect(after.posted_fils).toBe(before.posted_fils + 27_000);
      const list = await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}/transactions?limit=10`);
      expect(list.body.data.find((t: { id: string }) => t.id === auth.authorizationId).status).toBe('posted');
      const audits = await h.deps.handle.db.selectFrom('audit_log').select('action')
        .where('subject', 'in', [p1.transactionId!, p2.transactionId!, p3.transactionId!]).execute();
      expect(audits.map((a) => a.action)).toEqual(['clearing.posted', 'clearing.posted', 'clearing.posted']);
      await expectLedgerOk(h);
    });

    it('rounds each share half-up on the held billing amount, and never shrinks the hold below zero', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 1_001, currency: '840' }); // 10.01 × 0.3061 × 1.025 = 3.1407… → 3_141
      expect(auth.billingAmount).toBe(3_141);
      await clear(h, [part(auth, 1, 4, 333)]);
      // 3_141 × 333 ÷ 1_001 = 1_044.9… → 1_045
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(3_141 - 1_045);
      await clear(h, [part(auth, 2, 4, 900)]);
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(0);
      expect((await authorization(h, auth.authorizationId)).status).toBe('pending');
      const [p3] = await clear(h, [part(auth, 3, 4, 100)]);
      expect(p3.status).toBe('posted');
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(0);
      await expectLedgerOk(h);
    });

    it('a part arriving after the hold expired still posts, and the last one posts the authorization', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 6_000 });
      await clear(h, [part(auth, 1, 2, 3_000)]);
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(3_000);
      const job = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(h.clock.now()).toISOString() });
      expect(job.status).toBe(200);
      h.clock.advance(8 * 86_400_000);
      holder.token = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
      await h.admin('POST', '/v1/admin/jobs/expire-holds');
      expect((await authorization(h, auth.authorizationId)).status).toBe('expired');
      const before = await account(h, holder);
      const [last] = await clear(h, [part(auth, 2, 2, 3_000)]);
      expect(last.status).toBe('posted');
      expect(await account(h, holder)).toMatchObject({ held_fils: before.held_fils, posted_fils: before.posted_fils + 3_000 });
      expect((await authorization(h, auth.authorizationId)).status).toBe('cleared');
      await expectLedgerOk(h);
    });

    it('rejects a sequence below 1, a count below 1, and a sequence above the count (code 30, invalid_clearing_sequence)', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 1_000 });
      const results = await clear(h, [part(auth, 0, 2, 500), part(auth, 1, 0, 500), part(auth, 3, 2, 500), part(auth, 1.5, 2, 500)]);
      expect(results).toEqual([
        { index: 0, status: 'rejected', code: '30', reason: 'invalid_clearing_sequence' },
        { index: 1, status: 'rejected', code: '30', reason: 'invalid_clearing_sequence' },
        { index: 2, status: 'rejected', code: '30', reason: 'invalid_clearing_sequence' },
        { index: 3, status: 'rejected', code: '30' },
      ]);
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(1_000);
    });

    it('a record without sequence and count is part 1 of 1: it settles the authorization whole', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 2_500 });
      const [r] = await clear(h, [recordFor(auth.request, auth.authCode, { amount: 1_000 })]);
      expect(await clearingRow(r.transactionId!)).toMatchObject({ clearing_sequence: 1, clearing_count: 1, difference_fils: -1_500 });
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'cleared', hold_fils: 0 });
      const [second] = await clear(h, [part(auth, 1, 2, 1_000)]);
      expect(second.status).toBe('duplicate');
    });
  });

  describe('the network\'s billingAmount on clearings', () => {
    it('bills it plus the FX markup for a foreign currency instead of the rate, and ignores it for 414', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 10_000, currency: '840' });
      const [usd] = await clear(h, [recordFor(auth.request, auth.authCode, { billingAmount: 30_001 })]);
      // 30_001 × 1.025 = 30_751.025 → 30_751
      expect(await clearingRow(usd.transactionId!)).toMatchObject({ billing_fils: 30_751, fx_rate: 'network' });
      const kwd = await approvedPurchase(h, holder, { amount: 4_000 });
      const [local] = await clear(h, [recordFor(kwd.request, kwd.authCode, { billingAmount: 99_999 })]);
      expect(await clearingRow(local.transactionId!)).toMatchObject({ billing_fils: 4_000, fx_rate: '1' });
      await expectLedgerOk(h);
    });
  });

  describe('property: random split plans, reversals and expiries keep the books exact', () => {
    type Step = { k: 'part'; weight: number } | { k: 'repeat' } | { k: 'reverse'; keepPercent: number } | { k: 'expire' };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ k: fc.constant('part' as const), weight: fc.integer({ min: 1, max: 60 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('repeat' as const) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('reverse' as const), keepPercent: fc.constantFrom(0, 30, 70) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('expire' as const) }) },
    );
    const planArb = fc.record({
      amount: fc.integer({ min: 1, max: 60_000 }),
      usd: fc.boolean(),
      count: fc.integer({ min: 1, max: 5 }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    });

    it('holds after every step', async () => {
      await fc.assert(fc.asyncProperty(planArb, async (plan) => {
        fc.pre(plan.steps.some((step) => step.k === 'part'));
        const payer = await h.cardholder(200_000);
        const auth = await approvedPurchase(h, payer, { amount: plan.amount, currency: plan.usd ? '840' : '414' });
        let sequence = 0;
        let postedFils = 0;
        for (const step of plan.steps) {
          if (step.k === 'part' && sequence < plan.count) {
            sequence += 1;
            const amount = Math.max(1, Math.floor((plan.amount * step.weight) / 100));
            const [r] = await clear(h, [part(auth, sequence, plan.count, amount)]);
            expect(r.status).toBe('posted');
            postedFils += (await clearingRow(r.transactionId!)).billing_fils;
            const row = await authorization(h, auth.authorizationId);
            if (sequence === plan.count && row.status !== 'reversed') expect(row).toMatchObject({ status: 'cleared', hold_fils: 0 });
          } else if (step.k === 'repeat' && sequence > 0) {
            const [r] = await clear(h, [part(auth, sequence, plan.count, 1)]);
            expect(r.status).toBe('duplicate');
          } else if (step.k === 'reverse') {
            await reverse(h, { authorizationId: auth.authorizationId, replacementAmount: Math.floor((plan.amount * step.keepPercent) / 100) });
          } else if (step.k === 'expire') {
            // The hold's lifetime runs out: made due now, so the clock (and every session) stays put.
            await h.deps.handle.db.updateTable('authorizations').set({ expires_at: h.clock.now() - 1 })
              .where('id', '=', auth.authorizationId).where('status', '=', 'pending').execute();
            const res = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(h.clock.now()).toISOString() });
            expect(res.status).toBe(200);
          }
          const report = await checkLedger(h.deps.handle.db);
          expect(report.differences).toEqual([]);
          const row = await authorization(h, auth.authorizationId);
          expect(row.hold_fils).toBeGreaterThanOrEqual(0);
          expect(row.hold_fils).toBeLessThanOrEqual(auth.billingAmount);
          expect(await account(h, payer)).toMatchObject({ posted_fils: postedFils, held_fils: row.status === 'pending' ? row.hold_fils : 0 });
        }
      }), { numRuns: 10 });
    });
  });
});
