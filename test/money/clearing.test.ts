// SPEC §5 clearing: match by acquirerId + rrn (+ authCode), post the final amount at the clearing
// day's rate, release the hold, record the difference; unmatched still posts (flagged); repeats
// post once; refunds credit; one bad record does not sink the batch.
import { beforeAll, describe, expect, it } from 'vitest';
import { CLEARING_REJECT } from '../../src/domain/clearing.js';
import { clearBatch, CLEARING_CHUNK } from '../../src/service/clearing/clear-batch.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, authorization, cardView, clear, expectLedgerOk, recordFor, setRate, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
  });

  const clearing = (id: string) => h.deps.handle.db.selectFrom('clearings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('clearing', () => {
    it('posts the final amount, releases the hold, records the difference and marks the authorization cleared', async () => {
      const before = await account(h, holder);
      const auth = await approvedPurchase(h, holder, { amount: 10_000 });
      const [result] = await clear(h, [recordFor(auth.request, auth.authCode, { amount: 10_500 })]);
      expect(result).toMatchObject({ index: 0, status: 'posted' });
      expect(result.transactionId).toMatch(/^clr_/);
      const after = await account(h, holder);
      expect(after.held_fils).toBe(before.held_fils);
      expect(after.posted_fils).toBe(before.posted_fils + 10_500);
      const row = await clearing(result.transactionId!);
      expect(row).toMatchObject({ authorization_id: auth.authorizationId, billing_fils: 10_500, difference_fils: 500, status: 'posted', needs_review: 0 });
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'cleared', hold_fils: 0 });
      await expectLedgerOk(h);
    });

    it('a repeat of the same acquirerId + rrn + processingCode is a duplicate and posts nothing', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 2_000 });
      const record = recordFor(auth.request, auth.authCode);
      const [first] = await clear(h, [record]);
      const posted = (await account(h, holder)).posted_fils;
      const results = await clear(h, [record, record]);
      expect(results).toEqual([
        { index: 0, status: 'duplicate', transactionId: first.transactionId },
        { index: 1, status: 'duplicate', transactionId: first.transactionId },
      ]);
      expect((await account(h, holder)).posted_fils).toBe(posted);
    });

    it('the same batch sent twice at once posts each record once', async () => {
      const auths = [];
      for (let i = 0; i < 4; i++) auths.push(await approvedPurchase(h, holder, { amount: 100 + i }));
      const records = auths.map((a) => recordFor(a.request, a.authCode));
      const posted = (await account(h, holder)).posted_fils;
      const [a, b] = await Promise.all([clear(h, records), clear(h, records)]);
      for (let i = 0; i < records.length; i++) {
        expect([a[i].status, b[i].status].sort()).toEqual(['duplicate', 'posted']);
        expect(a[i].transactionId).toBe(b[i].transactionId);
      }
      expect((await account(h, holder)).posted_fils).toBe(posted + 100 + 101 + 102 + 103);
      await expectLedgerOk(h);
    });

    it('the same record twice in one batch posts once', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 1_000 });
      const record = recordFor(auth.request, auth.authCode);
      const posted = (await account(h, holder)).posted_fils;
      const results = await clear(h, [record, record]);
      expect(results.map((r) => r.status)).toEqual(['posted', 'duplicate']);
      expect((await account(h, holder)).posted_fils).toBe(posted + 1_000);
    });

    it('a wrong authCode does not match: the record is unmatched (posts to the PAN, flagged for review)', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 3_000 });
      const wrongCode = auth.authCode === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
      const noPan = await clear(h, [recordFor(auth.request, wrongCode)]);
      expect(noPan[0]).toEqual({ index: 0, status: 'rejected', code: '25' });
      const [withPan] = await clear(h, [recordFor(auth.request, wrongCode, { pan: holder.pan })]);
      expect(withPan.status).toBe('posted_unmatched');
      expect(await clearing(withPan.transactionId!)).toMatchObject({ authorization_id: null, needs_review: 1, status: 'posted_unmatched' });
      expect((await authorization(h, auth.authorizationId)).status).toBe('pending');
      await expectLedgerOk(h);
    });

    it('clearing without an authorization still posts to the PAN\'s account, flagged posted_unmatched', async () => {
      const before = await account(h, holder);
      const [r] = await clear(h, [{ pan: holder.pan, rrn: 'UNMATCHED001', acquirerId: '412345', amount: 7_777, currency: '414',
        processingCode: '000000', mcc: '5732', merchantName: 'Late Shop' }]);
      expect(r.status).toBe('posted_unmatched');
      expect((await account(h, holder)).posted_fils).toBe(before.posted_fils + 7_777);
    });

    it('a late clearing on a closed card account still posts, flagged for review', async () => {
      const other = await h.cardholder(100_000);
      const auth = await approvedPurchase(h, other, { amount: 1_500 });
      await h.deps.handle.db.updateTable('card_accounts').set({ status: 'closed' }).where('id', '=', other.card.accountId).execute();
      const [r] = await clear(h, [recordFor(auth.request, auth.authCode)]);
      expect(r.status).toBe('posted');
      expect(await clearing(r.transactionId!)).toMatchObject({ needs_review: 1, billing_fils: 1_500 });
      expect((await account(h, other)).posted_fils).toBe(1_500);
    });

    it('refunds (20xxxx) credit the account, restore available and are simply posted', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 8_000 });
      await clear(h, [recordFor(auth.request, auth.authCode)]);
      const before = await cardView(h, holder);
      const [refund] = await clear(h, [recordFor(auth.request, undefined, { processingCode: '200000', amount: 3_000 })]);
      expect(refund.status).toBe('posted');
      const after = await cardView(h, holder);
      expect(after.outstanding).toBe(before.outstanding - 3_000);
      expect(after.available).toBe(before.available + 3_000);
      const [byPan] = await clear(h, [{ pan: holder.pan, rrn: 'REFUNDBYPAN1', acquirerId: '777', amount: 500, currency: '414',
        processingCode: '200000', mcc: '5732', merchantName: 'Some Shop' }]);
      expect(byPan.status).toBe('posted');
      const notes = await h.deps.handle.db.selectFrom('notifications').select('kind')
        .where('customer_id', '=', holder.customer.id).where('kind', '=', 'refund_posted').execute();
      expect(notes).toHaveLength(2);
      await expectLedgerOk(h);
    });

    it('foreign clearing converts at the rate in force on the clearing day, recorded on the row', async () => {
      await setRate(h, '840', '0.3');
      const auth = await approvedPurchase(h, holder, { amount: 10_000, currency: '840' });
      expect(auth.billingAmount).toBe(30_750);
      await setRate(h, 'USD', '0.31');
      const [r] = await clear(h, [recordFor(auth.request, auth.authCode)]);
      const row = await clearing(r.transactionId!);
      expect(row).toMatchObject({ fx_rate: '0.31', billing_fils: 31_775, difference_fils: 1_025 }); // 100 × 0.31 × 1.025
      await expectLedgerOk(h);
    });

    it('one bad record does not sink the batch: each gets its own result, in order', async () => {
      const a = await approvedPurchase(h, holder, { amount: 1_100 });
      const b = await approvedPurchase(h, holder, { amount: 1_200 });
      const results = await clear(h, [
        recordFor(a.request, a.authCode),
        { rrn: 'short' },
        recordFor(b.request, b.authCode, { amount: 0 }),
        recordFor(b.request, b.authCode, { currency: '826' }),
        { pan: '4657810000000018', rrn: 'NOSUCHCARD01', acquirerId: '1', amount: 10, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'X' },
        recordFor(b.request, b.authCode, { processingCode: '010000' }),
        recordFor(b.request, b.authCode),
      ]);
      expect(results.map((r) => [r.index, r.status, r.code])).toEqual([
        [0, 'posted', undefined], [1, 'rejected', '30'], [2, 'rejected', '13'], [3, 'rejected', '12'],
        [4, 'rejected', '14'], [5, 'rejected', '57'], [6, 'posted', undefined],
      ]);
      await expectLedgerOk(h);
    });

    it('a late clearing of an expired hold still posts', async () => {
      const auth = await approvedPurchase(h, holder, { amount: 4_000 });
      h.clock.advance(8 * 86_400_000);
      const job = await h.admin('POST', '/v1/admin/jobs/expire-holds');
      expect(job.status).toBe(200);
      expect((await authorization(h, auth.authorizationId)).status).toBe('expired');
      const before = await account(h, holder);
      const [r] = await clear(h, [recordFor(auth.request, auth.authCode)]);
      expect(r.status).toBe('posted');
      const after = await account(h, holder);
      expect(after.posted_fils).toBe(before.posted_fils + 4_000);
      expect(after.held_fils).toBe(before.held_fils);
      expect((await authorization(h, auth.authorizationId)).status).toBe('cleared');
      await expectLedgerOk(h);
    });

    it('needs a valid signature, and rejects a body without records', async () => {
      const raw = JSON.stringify({ records: [] });
      const unsigned = await h.request('POST', '/v1/network/clearings', { raw, headers: { 'content-type': 'application/json' } });
      expect(unsigned.status).toBe(401);
      const empty = await h.network('/v1/network/clearings', { records: [] });
      expect(empty.body).toEqual({ results: [] });
      const bad = await h.network('/v1/network/clearings', { nope: 1 });
      expect(bad.status).toBe(400);
    });

    it('a long batch: results in record order, and the event loop turns between chunks', async () => {
      const records = Array.from({ length: 3 * CLEARING_CHUNK + 5 }, (_, i) => i % 7 === 3
        ? { nope: i } // malformed: rejected in place
        : { rrn: `TURN${String(i).padStart(8, '0')}`, acquirerId: '412345', amount: 100, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'M' });
      let turns = 0;
      let ticking = true;
      const tick = () => { turns++; if (ticking) setImmediate(tick); };
      setImmediate(tick);
      const results = await clearBatch(h.deps, records, 'net_test');
      ticking = false;
      expect(results.map((r) => r.index)).toEqual(records.map((_, i) => i));
      expect(results.filter((r) => r.code === CLEARING_REJECT.format_error).map((r) => r.index)).toEqual(records.flatMap((r, i) => ('nope' in r ? [i] : [])));
      expect(turns).toBeGreaterThanOrEqual(3);
    });

    it('accepts a batch above 64 KiB (clearing limit is 10 MiB)', async () => {
      const records = Array.from({ length: 700 }, (_, i) => ({ rrn: `BIG${String(i).padStart(9, '0')}`, acquirerId: 'x'.repeat(32),
        amount: 0, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'M'.repeat(60) }));
      const res = await h.network('/v1/network/clearings', { records });
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(700);
      expect(res.body.results.every((r: { code: string }) => r.code === '13')).toBe(true);
    });
  });
});
