// SPEC §2: PAN = BIN + CSPRNG digits + Luhn check digit, 16 digits; expiry end of month, 3 years out.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { expiryDisplay, expiryFor, generatePan, isExpired, isValidPan, luhnCheckDigit, maskPan } from '../../src/domain/pan.js';

const luhn = createRequire(import.meta.url)('luhn') as typeof import('luhn');

describe('generatePan', () => {
  it.each(['465781', '4657812', '46578123', '512345'])('BIN %s: 16 digits, BIN prefix, valid Luhn', (bin) => {
    for (let i = 0; i < 200; i++) {
      const pan = generatePan(bin);
      expect(pan).toMatch(/^\d{16}$/);
      expect(pan.startsWith(bin)).toBe(true);
      expect(luhn.validate(pan)).toBe(true);
    }
  });

  it('fills the middle from the random source it is given', () => {
    const pan = generatePan('465781', () => 7);
    expect(pan.slice(0, 15)).toBe('465781777777777');
    expect(luhn.validate(pan)).toBe(true);
  });

  it('draws different numbers (CSPRNG by default)', () => {
    const pans = new Set(Array.from({ length: 500 }, () => generatePan('465781')));
    expect(pans.size).toBeGreaterThan(495);
  });
});

describe('luhnCheckDigit agrees with the luhn package', () => {
  it.each(['465781000000000', '400000000000000', '123456789012345', '999999999999999', '000000000000001'])('%s', (partial) => {
    const digit = luhnCheckDigit(partial);
    expect(luhn.validate(partial + digit)).toBe(true);
    for (let d = 0; d < 10; d++) if (String(d) !== digit) expect(luhn.validate(partial + d)).toBe(false);
  });
});

describe('isValidPan', () => {
  it.each([
    ['4111111111111111', true], ['4111111111111112', false], ['411111111111', false], ['41111111111a1111', false],
    ['', false], ['79927398713', false], ['4000000000000002', true],
  ])('%s → %s', (pan, valid) => { expect(isValidPan(pan)).toBe(valid); });
});

describe('maskPan', () => {
  it('shows only the first six and the last four', () => {
    expect(maskPan('465781', '1234')).toBe('465781******1234');
    expect(maskPan('46578123', '1234')).toBe('465781******1234');
  });
});

describe('expiry', () => {
  it.each([
    [Date.UTC(2026, 10, 23), '2911'], [Date.UTC(2026, 0, 1), '2901'], [Date.UTC(2026, 11, 31, 23, 59), '2912'],
    [Date.UTC(2028, 1, 29), '3102'],
  ])('issued at %i → %s', (issuedAt, expiry) => { expect(expiryFor(issuedAt)).toBe(expiry); });

  it.each([
    ['2911', Date.UTC(2029, 10, 30, 23, 59, 59, 999), false],   // valid through the last moment of the month
    ['2911', Date.UTC(2029, 11, 1), true],
    ['2912', Date.UTC(2029, 11, 31, 23, 59), false],
    ['2912', Date.UTC(2030, 0, 1), true],
    ['2001', Date.UTC(2026, 10, 23), true],
  ])('%s at %i expired: %s', (expiry, now, expired) => { expect(isExpired(expiry, now)).toBe(expired); });

  it('a card issued today is valid until the end of its month three years out', () => {
    const issued = Date.UTC(2026, 10, 23, 9);
    const expiry = expiryFor(issued);
    expect(isExpired(expiry, Date.UTC(2029, 10, 30, 23, 59))).toBe(false);
    expect(isExpired(expiry, Date.UTC(2029, 11, 1))).toBe(true);
    expect(expiryDisplay(expiry)).toBe('2029-11');
  });
});
