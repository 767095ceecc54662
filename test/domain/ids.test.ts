// Ids order by creation, also within one millisecond: cursors (transactions, notifications,
// the event stream's Last-Event-ID) rely on it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';

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
