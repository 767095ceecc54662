// The card-testing guard (SPEC §2): consecutive wrong CVV2s or expiries on a card — a wrong value,
// not a missing one — in authorizations, advices and 3-D Secure authentications alike. The fifth
// freezes an active card; a decision that proves the card (an approved purchase or an account
// verification) starts the count again.
//
// This module is the rule. The store applies a failure atomically, in one SQL statement
// (`verification_failures = verification_failures + 1`, store/card-testing.repository.ts), never
// read here and written back: two wrong CVV2s racing on two PostgreSQL connections would both read
// 4 and both write 5, and a guesser could go past the limit. So the store hands the count after its
// increment to afterVerificationFailure, which decides the freeze.

/** Consecutive CVV2 / expiry failures that freeze the card. */
export const CARD_TESTING_FREEZE_AFTER = 5;

/** The only status the guard freezes: a card frozen, blocked, lost… already refuses everything. */
export const CARD_TESTING_FREEZES_STATUS = 'active';

export interface CardTestingState {
  /** cards.verification_failures */
  verificationFailures: number;
  /** cards.status */
  status: string;
}

/**
 * `unfrozen`: the cardholder (with a step-up code) or staff lifted a freeze; the count starts again,
 * or the next failure would freeze the card at once.
 */
export type CardTestingEvent = 'verification_failed' | 'card_proven' | 'unfrozen';

export interface CardTestingNext extends CardTestingState {
  /** This event froze the card (the cardholder and the audit log are told once). */
  froze: boolean;
}

/** Given the count after this failure's increment and the card's status then: does it freeze? */
export function afterVerificationFailure(failuresAfterIncrement: number, status: string): { freeze: boolean } {
  return { freeze: failuresAfterIncrement >= CARD_TESTING_FREEZE_AFTER && status === CARD_TESTING_FREEZES_STATUS };
}

export function nextCardTesting(state: Readonly<CardTestingState>, event: CardTestingEvent): CardTestingNext {
  switch (event) {
    case 'verification_failed': {
      const verificationFailures = state.verificationFailures + 1;
      const { freeze } = afterVerificationFailure(verificationFailures, state.status);
      return { verificationFailures, status: freeze ? 'frozen' : state.status, froze: freeze };
    }
    case 'card_proven':
    case 'unfrozen':
      return { verificationFailures: 0, status: state.status, froze: false };
  }
}
