// The network's billing amount on authorizations (SPEC §5): a foreign-currency authorization that
// carries billingAmount (fils) is billed that plus the product's FX markup, half-up to the fil,
// instead of at the bank's rate; for currency 414 it is ignored; a currency without a rate is not
// declined 12 when the network converted it. The authorization records what was used.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { authorization, cardView, setRate, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
    await setRate(h, '840', '0.3');
  });

  describe('in a foreign currency', () => {
    it('bills the network amount plus the 2.5 % markup, half-up, and records it (no rate of ours)', async () => {
      const before = await cardView(h, holder);
      // 100.00 USD; the network says 30.500 KD: 30.500 × 1.025 = 31.2625 → 31.263 KD (not 30.750 at our 0.3).
      const res = await h.authorize(holder, { amount: 10_000, currency: '840', billingAmount: 30_500 });
      expect(res.body).toMatchObject({ responseCode: '00', approved: true, billingAmount: 31_263, billingCurrency: '414' });
      const row = await authorization(h, res.body.authorizationId);
      expect({ billing: Number(row.billing_fils), network: Number(row.network_billing_fils), rate: row.fx_rate, hold: Number(row.hold_fils) })
        .toEqual({ billing: 31_263, network: 30_500, rate: null, hold: 31_263 });
      expect((await cardView(h, holder)).available).toBe(before.available - 31_263);
      // Without it, our own rate as before, recorded as the rate.
      const ours = await h.authorize(holder, { amount: 10_000, currency: '840' });
      expect(ours.body.billingAmount).toBe(30_750);
      const oursRow = await authorization(h, ours.body.authorizationId);
      expect({ rate: oursRow.fx_rate, network: oursRow.network_billing_fils }).toEqual({ rate: '0.3', network: null });
    });

    it('a currency without a rate is approved on the network amount; without one it is 12', async () => {
      expect((await h.authorize(holder, { amount: 5_000, currency: '978' })).body).toMatchObject({ responseCode: '12', reason: 'unsupported_currency' });
      const res = await h.authorize(holder, { amount: 5_000, currency: '978', billingAmount: 16_000 });
      expect(res.body).toMatchObject({ responseCode: '00', billingAmount: 16_400 });
    });

    it('follows the product markup, and a half fil rounds up', async () => {
      const product = '/v1/admin/products/internet-shopping';
      expect((await h.admin('PUT', product, { fxMarkupBps: 0 })).status).toBe(200);
      try {
        expect((await h.authorize(holder, { amount: 1_000, currency: '840', billingAmount: 3_001 })).body.billingAmount).toBe(3_001);
        expect((await h.admin('PUT', product, { fxMarkupBps: 50 })).status).toBe(200);
        // 1.001 KD × 1.005 = 1.006005 → 1.006; 0.100 × 1.005 = 0.1005 → 0.101 (half-up).
        expect((await h.authorize(holder, { amount: 1_000, currency: '840', billingAmount: 1_001 })).body.billingAmount).toBe(1_006);
        expect((await h.authorize(holder, { amount: 1_000, currency: '840', billingAmount: 100 })).body.billingAmount).toBe(101);
      } finally {
        await h.admin('PUT', product, { fxMarkupBps: 250 });
      }
    });

    it('decides the limit on the billed amount', async () => {
      const small = await h.cardholder(100_000);
      const res = await h.authorize(small, { amount: 100, currency: '840', billingAmount: 200_000 });
      expect(res.body).toMatchObject({ responseCode: '51', reason: 'over_limit', billingAmount: 205_000 });
    });
  });

  it('is ignored for currency 414: the amount is the billing amount', async () => {
    const res = await h.authorize(holder, { amount: 2_500, currency: '414', billingAmount: 99_999 });
    expect(res.body).toMatchObject({ responseCode: '00', billingAmount: 2_500 });
    expect((await authorization(h, res.body.authorizationId)).network_billing_fils).toBeNull();
  });

  it('is part of the request: a retransmission with another billingAmount is 94', async () => {
    const request = h.purchase(holder, { amount: 1_000, currency: '840', billingAmount: 3_000 });
    const first = await h.network('/v1/network/authorizations', request);
    expect(first.body.responseCode).toBe('00');
    expect((await h.network('/v1/network/authorizations', request)).body).toEqual(first.body);
    expect((await h.network('/v1/network/authorizations', { ...request, billingAmount: 3_001 })).body.responseCode).toBe('94');
  });

  it('a malformed billingAmount is 400 / 30', async () => {
    for (const bad of [-1, 1.5, '300', 1_000_000_000_000]) {
      const res = await h.authorize(holder, { amount: 1_000, currency: '840', billingAmount: bad });
      expect(res.status).toBe(400);
      expect(res.body.responseCode).toBe('30');
    }
  });
});
