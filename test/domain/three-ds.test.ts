// decideThreeDs and the CAVV layout, table-driven.
import { describe, expect, it } from 'vitest';
import { authenticatedEci, decideThreeDs, packCavv, unpackCavv, type ThreeDsFacts } from '../../src/domain/three-ds.js';

const now = Date.UTC(2026, 10, 23);
const base: ThreeDsFacts = { card: { status: 'active', expiry: '2911' }, requestExpiry: '2911', billingFils: 10_000, ceilingFils: 20_000, knownMerchant: true, nowMs: now };

describe('decideThreeDs', () => {
  it.each([
    ['below the ceiling at a known merchant', {}, 'Y'],
    ['just below the ceiling', { billingFils: 19_999 }, 'Y'],
    ['at the ceiling', { billingFils: 20_000 }, 'C'],
    ['above the ceiling', { billingFils: 20_001 }, 'C'],
    ['below the ceiling at a merchant the card does not know', { knownMerchant: false }, 'C'],
    ['a ceiling of 0: always a challenge', { ceilingFils: 0, billingFils: 1 }, 'C'],
    ['unknown card', { card: null }, 'N'],
    ...(['frozen', 'blocked', 'lost', 'stolen', 'replaced', 'cancelled', 'expired'] as const)
      .map((status) => [`card ${status}`, { card: { status, expiry: '2911' } }, 'N'] as const),
    ['wrong expiry', { requestExpiry: '2910' }, 'N'],
    ['expired card', { card: { status: 'active', expiry: '2510' }, requestExpiry: '2510' }, 'N'],
    ['currency without a rate', { billingFils: null }, 'N'],
    ['a frozen card at a known merchant', { card: { status: 'frozen', expiry: '2911' } }, 'N'],
  ] as const)('%s → %s', (_name, overrides, expected) => {
    expect(decideThreeDs({ ...base, ...overrides } as ThreeDsFacts).transStatus).toBe(expected);
  });
});

describe('authenticatedEci', () => {
  it.each([['4657810000000000', '05'], ['465781', '05'], ['5412750000000000', '02'], ['2221000000000000', '02'], ['371234', '02']])('%s → %s', (pan, eci) => {
    expect(authenticatedEci(pan)).toBe(eci);
  });
});

describe('CAVV', () => {
  it('is base64 of 20 bytes: 10 of reference, 10 of MAC', () => {
    const cavv = packCavv(Buffer.alloc(10, 0xab), Buffer.alloc(32, 0xcd));
    expect(Buffer.from(cavv, 'base64')).toHaveLength(20);
    expect(unpackCavv(cavv)).toEqual({ ref: 'ab'.repeat(10), mac: Buffer.alloc(10, 0xcd) });
  });
  it.each(['', 'abc', Buffer.alloc(19).toString('base64'), Buffer.alloc(21).toString('base64'), `${'A'.repeat(27)}!`])('rejects %j', (bad) => {
    expect(unpackCavv(bad)).toBeNull();
  });
});
