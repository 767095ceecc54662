// decideThreeDs and the CAVV layout, table-driven.
import { describe, expect, it } from 'vitest';
import { decideThreeDs, packCavv, unpackCavv, type ThreeDsFacts } from '../../src/domain/three-ds.js';

const now = Date.UTC(2026, 10, 23);
const base: ThreeDsFacts = { card: { status: 'active', expiry: '2911' }, requestExpiry: '2911', billingFils: 10_000, thresholdFils: 50_000, nowMs: now };

describe('decideThreeDs', () => {
  it.each([
    ['below the threshold', {}, 'Y'],
    ['no threshold, any amount', { thresholdFils: null, billingFils: 10_000_000 }, 'Y'],
    ['at the threshold', { billingFils: 50_000 }, 'C'],
    ['above the threshold', { billingFils: 50_001 }, 'C'],
    ['unknown card', { card: null }, 'N'],
    ...(['frozen', 'blocked', 'lost', 'stolen', 'replaced', 'cancelled', 'expired'] as const)
      .map((status) => [`card ${status}`, { card: { status, expiry: '2911' } }, 'N'] as const),
    ['wrong expiry', { requestExpiry: '2910' }, 'N'],
    ['expired card', { card: { status: 'active', expiry: '2510' }, requestExpiry: '2510' }, 'N'],
    ['currency without a rate', { billingFils: null }, 'N'],
  ] as const)('%s → %s', (_name, overrides, expected) => {
    expect(decideThreeDs({ ...base, ...overrides } as ThreeDsFacts).transStatus).toBe(expected);
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
