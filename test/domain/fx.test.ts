// SPEC §1: foreign amounts to KWD fils, amount × rate × (1 + markup), rounded half-up to the fil.
import { describe, expect, it } from 'vitest';
import { findCurrency } from '../../src/domain/currencies.js';
import { RATE_PATTERN, remainingHoldFils, toBillingFils } from '../../src/domain/fx.js';

const cur = (code: string) => findCurrency(code)!;

describe('toBillingFils', () => {
  it.each([
    // currency, amount (minor units), rate, markup bps → fils
    ['KWD', 12_500, '1', 250, 12_500],                 // KWD is never converted nor marked up
    ['USD', 1_000, '0.305', 0, 3_050],                 // exponent 2: 10.00 USD
    ['USD', 1_000, '0.305', 250, 3_126],               // 3050 × 1.025 = 3126.25 → 3126
    ['USD', 100, '0.0005', 0, 1],                      // 0.5 fil → 1 (half-up)
    ['USD', 300, '0.0005', 0, 2],                      // 1.5 fils → 2
    ['USD', 100, '0.0004', 0, 0],                      // 0.4 fil → 0
    ['USD', 100, '0.00049', 0, 0],                     // 0.49 fil → 0
    ['EUR', 2_000, '0.33', 10_000, 13_200],            // 100 % markup doubles
    ['JPY', 1_000, '0.002', 0, 2_000],                 // exponent 0: 1000 yen
    ['JPY', 1_000, '0.002', 250, 2_050],
    ['JPY', 1, '0.0025', 0, 3],                        // 2.5 fils → 3
    ['BHD', 1_000, '0.815', 0, 815],                   // exponent 3: 1.000 BHD
    ['BHD', 1_000, '0.815', 100, 823],                 // 823.15 → 823
    ['BHD', 2, '0.75', 0, 2],                          // 1.5 fils → 2
    ['USD', 999_999_999_999, '0.305', 250, 3_126_249_999_997],  // DE 4 maximum, exact integers
  ])('%s %i at %s + %i bps → %i fils', (currency, amount, rate, bps, fils) => {
    const result = toBillingFils(amount, cur(currency), rate, bps);
    expect(result.billingFils).toBe(fils);
    expect(result.rate).toBe(currency === 'KWD' ? '1' : rate);
  });

  it('the markup is what separates two otherwise equal conversions', () => {
    const plain = toBillingFils(10_000, cur('USD'), '0.3', 0).billingFils;
    const marked = toBillingFils(10_000, cur('USD'), '0.3', 250).billingFils;
    expect(plain).toBe(30_000);
    expect(marked).toBe(30_750);
  });
});

describe('remainingHoldFils (partial reversals at the authorization rate)', () => {
  it.each([
    [10_000, 3_126, 0, 0],            // full reversal
    [10_000, 3_126, 10_000, 3_126],   // nothing reversed
    [10_000, 3_126, 20_000, 3_126],   // more than authorized keeps the hold as it is
    [10_000, 3_126, 5_000, 1_563],
    [3, 1_000, 1, 333],               // 333.33 → 333
    [2, 1_001, 1, 501],               // 500.5 → 501 (half-up)
    [0, 0, 0, 0],
  ])('of %i minor units held as %i fils, %i remaining → %i fils', (original, fils, remaining, expected) => {
    expect(remainingHoldFils(original, fils, remaining)).toBe(expected);
  });
});

describe('RATE_PATTERN', () => {
  it.each([['0.305', true], ['1', true], ['0.0000000001', true], ['3.25', true], ['-1', false], ['1e3', false], ['01.5', false], ['', false], ['0.', false]])(
    '%s → %s', (rate, ok) => { expect(RATE_PATTERN.test(rate)).toBe(ok); });
});

describe('currencies', () => {
  it.each([['414', 'KWD', 3], ['048', 'BHD', 3], ['512', 'OMR', 3], ['840', 'USD', 2], ['978', 'EUR', 2], ['392', 'JPY', 0]])(
    '%s is %s with exponent %i', (numeric, alpha, exponent) => {
      expect(findCurrency(numeric)).toEqual({ numeric, alpha, exponent });
      expect(findCurrency(alpha)?.numeric).toBe(numeric);
    });
  it('an unknown code is undefined', () => { expect(findCurrency('999')).toBeUndefined(); });
});
