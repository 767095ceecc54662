// What the card-testing attacks send and read back: wrong values that still look right (a CVV2 of
// three digits, an expiry with a real month), and the card's guard state.
import type { Harness } from './harness.js';

/** Rate limits high enough that every request of a burst reaches the guard or lockout it tests. */
export const BURST_ENV = { RATE_LIMIT_LOGIN_PER_MIN: '1000', RATE_LIMIT_SENSITIVE_PER_MIN: '1000' };

/** The i-th wrong CVV2 for a card (distinct for i below 999). */
export const wrongCvv2 = (cvv2: string, i = 0) => String((Number(cvv2) + 1 + i) % 1000).padStart(3, '0');

/** The card's expiry (YYMM) with another real month. */
export const wrongExpiry = (expiry: string) => (expiry.endsWith('12') ? `${expiry.slice(0, 2)}11` : `${expiry.slice(0, 2)}12`);

/** The card's status, why, and its count of failures in a row. */
export const cardTestingState = (h: Harness, cardId: string) => h.deps.handle.db.selectFrom('cards')
  .select(['status', 'status_reason', 'verification_failures']).where('id', '=', cardId).executeTakeFirstOrThrow();
