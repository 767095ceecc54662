// requestHash is stored with every authorization and compared on replay (same key, same body →
// the original answer; a different body → 94). Its output must never change for the same request,
// whatever the implementation does to be cheap.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRequestHash, requestHash } from '../../src/service/network/request-identity.js';

/** The implementation the stored hashes were made with, verbatim. */
function originalRequestHash(request: object): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

const request = {
  mti: '0100', pan: '4000001234567899', expiry: '2911', cvv2: '123', processingCode: '000000', amount: 1234,
  currency: '414', transmissionTime: '2026-11-23T22:58:00.000Z', stan: '000123', rrn: '000000000123', mcc: '5732',
  posEntryMode: '812', posConditionCode: '59', acquirerId: 'A1', merchantId: 'M-1001',
  merchantName: 'Gulf Books \u00d6nline "x"', merchantCountry: 'KW', pinPresent: false, eci: undefined,
};

describe('requestHash', () => {
  it('gives the hash stored by earlier versions (fixed vector)', () => {
    expect(requestHash(request)).toBe('90ece21663e123a9929b9a6858a5626cbe18cb07a50235cd6d3b67d93dff41fc');
    expect(canonicalRequestHash(request)).toBe('90ece21663e123a9929b9a6858a5626cbe18cb07a50235cd6d3b67d93dff41fc');
  });

  it('does not depend on key order, and tells different bodies apart', () => {
    const reversed = Object.fromEntries(Object.entries(request).reverse());
    expect(requestHash(reversed)).toBe(requestHash(request));
    expect(requestHash({ ...request, amount: 1235 })).not.toBe(requestHash(request));
    // The shape cache: the same keys in another order, then back.
    expect(requestHash(request)).toBe(originalRequestHash(request));
  });

  it('matches the original implementation on any object (property)', () => {
    const key = fc.oneof(
      fc.constantFrom('amount', 'pan', 'stan', 'eci', 'Amount', '__proto__', 'constructor', 'toJSON', '0', '10', '9', 'a'),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(
      fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 3 }),
    );
    fc.assert(fc.property(fc.array(fc.tuple(key, value), { maxLength: 12 }), (entries) => {
      // Object.fromEntries defines own properties, `__proto__` included.
      const body = Object.fromEntries(entries);
      expect(requestHash(body)).toBe(originalRequestHash(body));
      expect(canonicalRequestHash(body)).toBe(originalRequestHash(body));
    }), { numRuns: 2000 });
  });
});
