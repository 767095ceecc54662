// Ids order by creation, also within one millisecond: cursors (transactions, notifications,
// the event stream's Last-Event-ID) rely on it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idFloor, newId } from '../../src/ids.js';

describe('newId', () => {
  it('is strictly increasing for a non-decreasing clock, whatever the prefix', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 200 }), (steps) => {
      let ms = Date.UTC(2026, 10, 23);
      const ids = steps.map((step) => { ms += step; return newId('x', ms); });
      for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    }));
  });

  it('keeps the documented shape', () => {
    expect(newId('auth', Date.UTC(2026, 10, 23))).toMatch(/^auth_[0-9a-z]{9}[0-9a-z]{12}$/);
  });
});

describe('idFloor', () => {
  it('an id sorts at or after the floor of a time exactly when it was made at or after that time', () => {
    const ms = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });
    // Floors near the id's own time (the edges), and anywhere.
    const floorOf = (made: number) => fc.oneof(fc.integer({ min: -2, max: 2 }).map((d) => Math.max(0, made + d)), ms);
    fc.assert(fc.property(ms.chain((made) => fc.tuple(fc.constant(made), floorOf(made))), ([made, floor]) => {
      expect(newId('au', made) >= idFloor('au', floor)).toBe(made >= floor);
    }));
  });

  it('clamps times an id cannot hold (before 1970, past its nine base-36 digits)', () => {
    expect(idFloor('au', -5)).toBe('au_000000000');
    expect(idFloor('au', 36 ** 9 + 5)).toBe('au_zzzzzzzzz');
  });
});
