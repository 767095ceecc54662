import { describe, expect, it } from 'vitest';
import { transmissionInstant } from '../../src/domain/transmission-time.js';

describe('transmissionInstant: the idempotency key compares transmissionTime as an instant, to the second', () => {
  it.each([
    ['2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00:00.000Z', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00:00.999Z', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00:00.123456789Z', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00:00+00:00', '2026-11-23T09:00:00Z'],
    ['2026-11-23T12:00:00+03:00', '2026-11-23T09:00:00Z'],
    ['2026-11-23T01:30:00-07:30', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00:00', '2026-11-23T09:00:00Z'],
    ['2026-11-23T09:00', '2026-11-23T09:00:00Z'],
    ['2026-01-01T01:00:00+03:00', '2025-12-31T22:00:00Z'],
  ])('%s → %s', (text, canonical) => expect(transmissionInstant(text)).toBe(canonical));

  it('leaves what is not an ISO time as it is', () => {
    expect(transmissionInstant('yesterday')).toBe('yesterday');
    expect(transmissionInstant('')).toBe('');
  });
});
