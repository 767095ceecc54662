// Credential on file (entry mode 10, SPEC §4): without CVV2 a merchant-initiated purchase is
// approved only when initialTransactionId names an approved purchase or an account verification of
// the same card account at the same merchantId; otherwise N7 cvv2_required.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { reverse, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const MERCHANT = 'M-SUBS';
  const onFile = (holder: Holder, initialTransactionId: string | undefined, overrides: Record<string, unknown> = {}) =>
    h.authorize(holder, { amount: 2_000, posEntryMode: '100', posConditionCode: '00', cvv2: undefined, merchantId: MERCHANT,
      ...(initialTransactionId ? { initialTransactionId } : {}), ...overrides });
  const first = async (holder: Holder, overrides: Record<string, unknown> = {}) =>
    (await h.authorize(holder, { amount: 1_000, merchantId: MERCHANT, ...overrides })).body as { authorizationId: string; responseCode: string; reason: string };

  describe('approved', () => {
    it('after an approved purchase at the same merchant (also an over-limit one), and after a verification', async () => {
      const holder = await h.cardholder(100_000);
      const purchase = await first(holder);
      expect((await onFile(holder, purchase.authorizationId)).body).toMatchObject({ responseCode: '00', reason: 'approved', approved: true });
      const verification = await first(holder, { amount: 0 });
      expect(verification.reason).toBe('verified');
      expect((await onFile(holder, verification.authorizationId)).body).toMatchObject({ responseCode: '00', reason: 'approved' });
      // An over-limit approval counts too (the merchant cancelled it, so there is room again).
      const other = await h.cardholder(100_000);
      const overOther = await first(other, { amount: 110_000 });
      expect(overOther.reason).toBe('approved_over_limit');
      expect((await reverse(h, { authorizationId: overOther.authorizationId })).responseCode).toBe('00');
      expect((await onFile(other, overOther.authorizationId, { amount: 1_000 })).body).toMatchObject({ responseCode: '00' });
    });

    it('after a purchase made with the card the account had before a replacement', async () => {
      const holder = await h.cardholder(100_000);
      const purchase = await first(holder);
      const replaced = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/replace`, { otp: await h.otp(holder.totpSecret) });
      expect(replaced.status).toBe(201);
      const fresh = { ...holder, ...(await h.cardDetails(replaced.body.id)) };
      expect((await onFile(fresh, purchase.authorizationId)).body).toMatchObject({ responseCode: '00', reason: 'approved' });
    });
  });

  describe('N7 cvv2_required', () => {
    it('without initialTransactionId, or naming nothing that proved the card at this merchant of this account', async () => {
      const holder = await h.cardholder(100_000);
      const stranger = await h.cardholder(100_000);
      const purchase = await first(holder);
      const elsewhere = await first(holder, { merchantId: 'M-ELSEWHERE' });
      const declined = await first(holder, { cvv2: '000' });
      const refund = await first(holder, { processingCode: '200000', cvv2: undefined });
      expect(refund.reason).toBe('refund_approved');
      const strangers = await first(stranger);
      const cases: Array<[string, string | undefined, Record<string, unknown>]> = [
        ['no initial transaction', undefined, {}],
        ['an unknown id', 'auth_nothing_like_it', {}],
        ['a purchase at another merchant', elsewhere.authorizationId, {}],
        ['a declined purchase', declined.authorizationId, {}],
        ['a refund', refund.authorizationId, {}],
        ["another account's purchase", strangers.authorizationId, {}],
        ['the right purchase, but named by another merchant', purchase.authorizationId, { merchantId: 'M-ELSEWHERE' }],
        ['the right purchase, but entry mode 81 (not credential on file)', purchase.authorizationId, { posEntryMode: '812', posConditionCode: '59' }],
      ];
      for (const [name, id, overrides] of cases) {
        const res = await onFile(holder, id, overrides);
        expect({ name, ...res.body }).toMatchObject({ name, responseCode: 'N7', reason: 'cvv2_required', approved: false });
      }
      // A wrong CVV2 is a mismatch whatever the initial transaction.
      expect((await onFile(holder, purchase.authorizationId, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
    });
  });

  it('rejects an initialTransactionId that is not a short string with 400 / 30', async () => {
    const holder = await h.cardholder(100_000);
    for (const bad of ['', 'x'.repeat(65), 12]) {
      const res = await onFile(holder, undefined, { initialTransactionId: bad });
      expect(res.status).toBe(400);
      expect(res.body.responseCode).toBe('30');
    }
  });
});
