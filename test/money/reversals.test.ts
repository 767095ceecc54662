// SPEC §5 reversals: the hold shrinks to replacementAmount (converted at the authorization's own
// rate); repeats and late reversals change nothing; unknown original → 25.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, authorization, cardView, clear, expectLedgerOk, recordFor, reverse, setRate, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
  });

  describe('reversals', () => {
    it('a partial reversal shrinks the hold; the same amount again changes nothing; a full one releases the rest', async () => {
      const before = await account(h, holder);
      const auth = await approvedPurchase(h, holder, { amount: 30_000 });
      const partial = await reverse(h, { authorizationId: auth.authorizationId, replacementAmount: 12_000 });
      expect(partial).toMatchObject({ responseCode: '00', reversedAmount: 18_000 });
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(12_000);
      expect((await account(h, holder)).held_fils).toBe(before.held_fils + 12_000);

      const again = await reverse(h, { authorizationId: auth.authorizationId, replacementAmount: 12_000 });
      expect(again).toMatchObject({ responseCode: '00', reversedAmount: 0 });
      const larger = await reverse(h, { acquirerId: auth.request.acquirerId, rrn: auth.request.rrn, replacementAmount: 20_000 });
      expect(larger.reversedAmount).toBe(0);
      expect((await account(h, holder)).held_fils).toBe(before.held_fils + 12_000);

      const full = await reverse(h, { acquirerId: auth.request.acquirerId, rrn: auth.request.rrn });
      expect(full).toMatchObject({ responseCode: '00', reversedAmount: 12_000 });
      const row = await authorization(h, auth.authorizationId);
      expect(row.status).toBe('reversed');
      expect(row.hold_fils).toBe(0);
      expect((await account(h, holder)).held_fils).toBe(before.held_fils);
      expect((await reverse(h, { authorizationId: auth.authorizationId })).reversedAmount).toBe(0);
      await expectLedgerOk(h);
    });

    it('a foreign-currency partial reversal converts at the authorization rate, not today\'s', async () => {
      await setRate(h, 'USD', '0.3');
      const auth = await approvedPurchase(h, holder, { amount: 10_000, currency: '840' }); // USD 100.00
      expect(auth.billingAmount).toBe(30_750); // 100 × 0.3 × 1.025
      await setRate(h, 'USD', '0.5');
      const res = await reverse(h, { authorizationId: auth.authorizationId, replacementAmount: 4_000 });
      expect((await authorization(h, auth.authorizationId)).hold_fils).toBe(12_300); // 40 × 0.3 × 1.025
      expect(res.reversedAmount).toBe(30_750 - 12_300);
      await reverse(h, { authorizationId: auth.authorizationId });
      await expectLedgerOk(h);
    });

    it('unknown original → 25', async () => {
      expect(await reverse(h, { authorizationId: 'auth_doesnotexist' })).toMatchObject({ responseCode: '25', reversedAmount: 0 });
      expect(await reverse(h, { acquirerId: '999999', rrn: 'ZZZZZZZZZZZZ' })).toMatchObject({ responseCode: '25' });
    });

    it('a reversal after clearing or after expiry changes nothing', async () => {
      const cleared = await approvedPurchase(h, holder, { amount: 5_000 });
      await clear(h, [recordFor(cleared.request, cleared.authCode)]);
      const postedAfterClearing = (await account(h, holder)).posted_fils;
      expect((await reverse(h, { authorizationId: cleared.authorizationId })).reversedAmount).toBe(0);
      expect((await authorization(h, cleared.authorizationId)).status).toBe('cleared');

      const expiring = await approvedPurchase(h, holder, { amount: 6_000 });
      h.clock.advance(8 * 86_400_000);
      const job = await h.admin('POST', '/v1/admin/jobs/expire-holds', {});
      expect(job.body.released).toBeGreaterThanOrEqual(1);
      const held = (await account(h, holder)).held_fils;
      expect((await reverse(h, { authorizationId: expiring.authorizationId })).reversedAmount).toBe(0);
      expect((await authorization(h, expiring.authorizationId)).status).toBe('expired');
      const after = await account(h, holder);
      expect(after.held_fils).toBe(held);
      expect(after.posted_fils).toBe(postedAfterClearing);
      await expectLedgerOk(h);
    });

    it('fully reversing the over-limit authorization gives the allowance back; a partial one does not', async () => {
      const other = await h.cardholder(100_000);
      const within = await approvedPurchase(h, other, { amount: 90_000 });
      const over = await approvedPurchase(h, other, { amount: 20_000 });
      expect(over.overLimit).toBe(true);
      await reverse(h, { authorizationId: over.authorizationId, replacementAmount: 15_000 });
      expect((await cardView(h, other)).overLimit.used).toBe(true);
      await reverse(h, { authorizationId: over.authorizationId });
      expect((await cardView(h, other)).overLimit.used).toBe(false);
      await reverse(h, { authorizationId: within.authorizationId });
      await expectLedgerOk(h);
    });
  });
});
