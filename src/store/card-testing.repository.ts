// The card-testing guard's counter (SPEC §2; the rule is domain/card-testing-guard.ts): consecutive
// wrong CVV2s or expiries on a card, in authorizations, advices and 3-D Secure alike.
//
// A failure is counted in SQL (`verification_failures + 1`), never read and written back: two
// failures racing on two PostgreSQL connections both count, where a read-then-write would let both
// read 4 and write 5, and a guesser go past the limit. The increment returns the count and status
// it left, under the card row's lock (held until commit), and the domain decides the freeze from
// them. The freeze itself is conditional on the status the guard freezes, and its row count says
// whether this failure froze the card, so one freeze is announced once.
import { sql } from 'kysely';
import { CARD_TESTING_REASON } from '../domain/card-lifecycle.js';
import { afterVerificationFailure, CARD_TESTING_FREEZES_STATUS, type CardTestingState } from '../domain/card-testing-guard.js';
import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';

export interface CountedFailure {
  /** The card's count after this failure. */
  failures: number;
  /** True when this failure froze the card (it was active and the count reached the limit). */
  froze: boolean;
}

export async function countVerificationFailure(db: Executor, cardId: string, nowMs: number): Promise<CountedFailure> {
  const counted = await db.updateTable('cards').set({ verification_failures: sql<number>`verification_failures + 1` })
    .where('id', '=', cardId).returning(['verification_failures', 'status']).executeTakeFirstOrThrow();
  const failures = Number(counted.verification_failures);
  if (!afterVerificationFailure(failures, counted.status).freeze) return { failures, froze: false };
  const frozen = await db.updateTable('cards').set({ status: 'frozen', status_reason: CARD_TESTING_REASON, updated_at: nowMs })
    .where('id', '=', cardId).where('status', '=', CARD_TESTING_FREEZES_STATUS).executeTakeFirst();
  return { failures, froze: Number(frozen.numUpdatedRows) === 1 };
}

// Every approval that proves a card with a count writes it (runtime/prepared.ts: compiled once).
const setVerificationFailures = prepared<{ id: string; failures: number }, never>((db) =>
  db.updateTable('cards').set({ verification_failures: param('failures') }).where('id', '=', param('id')));

/**
 * Writes the count a transition that does not count a failure decided (a proven card: 0). The
 * card's row is locked since it was read (authorization-reads.repository.ts), so no failure
 * counted by another connection is lost.
 */
export async function writeCardTesting(db: Executor, cardId: string, next: Pick<CardTestingState, 'verificationFailures'>): Promise<void> {
  await setVerificationFailures.execute(db, { id: cardId, failures: next.verificationFailures });
}
