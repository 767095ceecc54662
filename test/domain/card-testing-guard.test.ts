// SPEC §2's card-testing guard as one transition: (count, status) × event → (count, status, froze).
import { describe, expect, it } from 'vitest';
import {
  afterVerificationFailure, CARD_TESTING_FREEZE_AFTER, nextCardTesting, type CardTestingEvent,
} from '../../src/domain/card-testing-guard.js';
import { CARD_TESTING_FREEZE_AFTER as FROM_RULES } from '../../src/domain/rules.js';

describe('nextCardTesting', () => {
  it.each<[number, string, CardTestingEvent, number, string, boolean]>([
    // failures, status, event → failures, status, froze
    [0, 'active', 'verification_failed', 1, 'active', false],
    [3, 'active', 'verification_failed', 4, 'active', false],
    [4, 'active', 'verification_failed', 5, 'frozen', true],      // the fifth freezes
    [5, 'active', 'verification_failed', 6, 'frozen', true],      // unfrozen without a reset: the next freezes again
    [4, 'frozen', 'verification_failed', 5, 'frozen', false],     // already frozen: no second freeze
    [9, 'frozen', 'verification_failed', 10, 'frozen', false],
    [4, 'blocked', 'verification_failed', 5, 'blocked', false],   // the guard freezes active cards only
    [4, 'lost', 'verification_failed', 5, 'lost', false],
    [4, 'stolen', 'verification_failed', 5, 'stolen', false],
    [4, 'expired', 'verification_failed', 5, 'expired', false],
    [0, 'active', 'card_proven', 0, 'active', false],
    [4, 'active', 'card_proven', 0, 'active', false],              // an approval starts the count again
    [7, 'frozen', 'card_proven', 0, 'frozen', false],              // a reset unfreezes nothing
    [5, 'active', 'unfrozen', 0, 'active', false],                 // a lifted freeze starts the count again
    [0, 'active', 'unfrozen', 0, 'active', false],
  ])('%i failures, %s, %s → %i, %s, froze %s', (failures, status, event, nextFailures, nextStatus, froze) => {
    expect(nextCardTesting({ verificationFailures: failures, status }, event))
      .toEqual({ verificationFailures: nextFailures, status: nextStatus, froze });
  });

  it('the threshold is SPEC §2\'s 5, and rules.ts names the same constant', () => {
    expect(CARD_TESTING_FREEZE_AFTER).toBe(5);
    expect(FROM_RULES).toBe(CARD_TESTING_FREEZE_AFTER);
  });
});

describe('afterVerificationFailure: the freeze, given the count the store\'s atomic increment returned', () => {
  it.each<[number, string, boolean]>([
    [1, 'active', false], [4, 'active', false], [5, 'active', true], [6, 'active', true],
    [5, 'frozen', false], [5, 'blocked', false], [5, 'replaced', false],
  ])('count %i on a %s card → freeze %s', (count, status, freeze) => {
    expect(afterVerificationFailure(count, status)).toEqual({ freeze });
  });

  it('five failures in a row from zero freeze on the fifth, exactly once', () => {
    let state = { verificationFailures: 0, status: 'active' };
    const froze: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const next = nextCardTesting(state, 'verification_failed');
      froze.push(next.froze);
      state = next;
    }
    expect(froze).toEqual([false, false, false, false, true, false, false]);
  });
});
