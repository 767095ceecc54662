// Keyset cursors (domain/cursor.ts): what a cursor says about resume points survives the round trip,
// including the difference between "every chain used up" and "nothing said".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_RESUME_IDS } from '../../src/domain/cursor.js';

const idArb = fc.stringMatching(/^[0-9a-z]{22}$/);
const keyArb = fc.record({ createdAt: fc.integer({ min: 0, max: 4_102_444_800_000 }), id: idArb.map((s) => `ntf_${s}`) });

describe('cursor', () => {
  it('round-trips its key and resume ids: none said (null), every chain used up ([]), or up to the most', () => {
    fc.assert(fc.property(keyArb, fc.option(fc.array(idArb.map((s) => `auth_${s}`), { maxLength: MAX_RESUME_IDS })), (key, resumeIds) => {
      expect(decodeCursor(encodeCursor(key, resumeIds))).toEqual({ ...key, resumeIds });
    }));
  });

  it('names no resume ids rather than more than the most (the walks then start at the heads)', () => {
    const key = { createdAt: 5, id: 'ntf_abc' };
    const many = Array.from({ length: MAX_RESUME_IDS + 1 }, (_, i) => `auth_${i}`);
    expect(decodeCursor(encodeCursor(key, many))).toEqual({ ...key, resumeIds: null });
  });

  it('reads the cursors made before it: a key alone, and a transaction cursor with its one resume id', () => {
    const text = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    expect(decodeCursor(text('1700000000000.ntf_0abc'))).toEqual({ createdAt: 1700000000000, id: 'ntf_0abc', resumeIds: null });
    expect(decodeCursor(text('1700000000000.auth_0abc.auth_0abb'))).toEqual({ createdAt: 1700000000000, id: 'auth_0abc', resumeIds: ['auth_0abb'] });
  });

  it('refuses what it did not make', () => {
    const text = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    for (const bad of ['x.ntf_1', '1.ntf_1.', '1.ntf_1.r.auth_2', '1.ntf_1.card_2', `1.ntf_1${'.auth_2'.repeat(MAX_RESUME_IDS + 1)}`]) {
      expect(decodeCursor(text(bad)), bad).toBeNull();
    }
  });
});
