// SPEC §1 FX: admin-set rates per currency, ISO 4217 exponents, markup in basis points, half-up
// rounding to the fil, the rate recorded on the transaction, unknown currency → 12.
import { beforeAll, describe, expect, it } from 'vitest';
import { findCurrency } from '../../src/domain/currencies.js';
import { toBillingFils } from '../../src/domain/fx.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { approvedPurchase, authorization, setRate, type Holder } from '../support/money.js';

describe('toBillingFils (pure)', () => {
  const cases: Array<[string, number, string, number, number]> = [
    // currency, minor amount, rate, markup bps, expected fils
    ['KWD', 12_345, '1', 250, 12_345],          // billing currency: no rate, no markup
    ['USD', 10_000, '0.3', 0, 30_000],          // 100.00 USD × 0.3
    ['USD', 10_000, '0.3', 250, 30_750],        // + 2.5 %
    ['USD', 1, '0.3', 0, 3],                    // 0.01 USD = 3 fils exactly
    ['USD', 1, '0.305', 0, 3],                  // 3.05 → 3
    ['USD', 1, '0.35', 0, 4],                   // 3.5 → 4 (half up)
    ['USD', 1, '0.3499', 0, 3],                 // 3.499 → 3
    ['JPY', 1_000, '0.002', 0, 2_000],          // exponent 0: 1000 yen
    ['JPY', 1, '0.0025', 0, 3],                 // 2.5 → 3
    ['BHD', 1_000, '0.815', 0, 815],            // exponent 3: 1.000 BHD
    ['BHD', 1_500, '0.815', 100, 1_235],        // 1.5 × 0.815 × 1.01 = 1.234725 KD → 1235 fils
    ['EUR', 999_999_999_999, '0.33', 250, 3_382_499_999_997], // large amounts stay exact (BigInt)
  ];
  it.each(cases)('%s %i at %s + %i bps = %i fils', (alpha, amount, rate, bps, expected) => {
    const c = toBillingFils(amount, findCurrency(alpha)!, rate, bps);
    expect(c.billingFils).toBe(expected);
  });

  it('exponents follow ISO 4217', () => {
    expect(findCurrency('392')!.exponent).toBe(0);
    expect(findCurrency('840')!.exponent).toBe(2);
    expect(findCurrency('048')!.exponent).toBe(3);
    expect(findCurrency('414')!.exponent).toBe(3);
    expect(findCurrency('jpy')!.numeric).toBe('392');
  });
});

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
  });

  describe('FX through the API', () => {
    it('sets rates by alphabetic or numeric code and reports the exponent', async () => {
      expect(await setRate(h, 'JPY', '0.0021')).toMatchObject({ currency: 'JPY', numericCode: '392', exponent: 0, rate: '0.0021' });
      expect(await setRate(h, '048', '0.815')).toMatchObject({ currency: 'BHD', exponent: 3 });
      expect((await h.admin('PUT', '/v1/admin/fx-rates/XXX', { rate: '1' })).status).toBe(404);
      expect((await h.admin('PUT', '/v1/admin/fx-rates/USD', { rate: '-1' })).status).toBe(400);
      expect((await h.admin('PUT', '/v1/admin/fx-rates/USD', { rate: 0.3 })).status).toBe(400);
    });

    it('authorizations convert with the product markup and record the rate used', async () => {
      await setRate(h, 'USD', '0.3065');
      await setRate(h, 'JPY', '0.0021');
      await setRate(h, 'BHD', '0.815');
      const usd = await approvedPurchase(h, holder, { amount: 1_999, currency: '840' }); // 19.99 × 0.3065 × 1.025 = 6.28008... KD
      expect(usd.billingAmount).toBe(6_280);
      const jpy = await approvedPurchase(h, holder, { amount: 5_000, currency: '392' }); // 5000 × 0.0021 × 1.025 = 10.7625 KD
      expect(jpy.billingAmount).toBe(10_763);
      const bhd = await approvedPurchase(h, holder, { amount: 2_500, currency: '048' }); // 2.5 × 0.815 × 1.025 = 2.08843... KD
      expect(bhd.billingAmount).toBe(2_088);
      expect(await authorization(h, usd.authorizationId)).toMatchObject({ fx_rate: '0.3065', billing_fils: 6_280, hold_fils: 6_280 });
      expect((await authorization(h, jpy.authorizationId)).fx_rate).toBe('0.0021');
    });

    it('the markup is product data in basis points', async () => {
      await setRate(h, 'EUR', '0.33');
      await h.admin('PUT', '/v1/admin/products/internet-shopping', { fxMarkupBps: 0 });
      const none = await approvedPurchase(h, holder, { amount: 10_000, currency: '978' });
      expect(none.billingAmount).toBe(33_000);
      await h.admin('PUT', '/v1/admin/products/internet-shopping', { fxMarkupBps: 400 });
      const four = await approvedPurchase(h, holder, { amount: 10_000, currency: '978' });
      expect(four.billingAmount).toBe(34_320);
      await h.admin('PUT', '/v1/admin/products/internet-shopping', { fxMarkupBps: 250 });
    });

    it('a currency without a rate is declined 12 unsupported_currency, and a new rate applies at once', async () => {
      const res = await h.authorize(holder, { amount: 1_000, currency: '826' });
      expect(res.body).toMatchObject({ responseCode: '12', reason: 'unsupported_currency', approved: false });
      expect(res.body.billingAmount).toBeUndefined();
      await setRate(h, 'GBP', '0.4');
      const ok = await h.authorize(holder, { amount: 1_000, currency: '826' });
      expect(ok.body).toMatchObject({ responseCode: '00', billingAmount: 4_100 });
    });
  });
});
