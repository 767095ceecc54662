// The card-testing guard's counter (SPEC §2): consecutive wrong CVV2s or expiries on a card, in
// authorizations and 3-D Secure alike. Counted in SQL (`+ 1`), never read and written back: two
// failures racing on two connections both count. The freeze is a conditional update whose row
// count says whether this failure froze the card, so one freeze is announced once.
import { sql } from 'kysely';
import type { Executor } from './db.js';

export interface CountedFailure {
  /** The card's count after this failure. */
  failures: number;
  /** True when this failure froze the card (it was active and the count reached the limit). */
  froze: boolean;
}

export async function countVerificationFailure(db: Executor, cardId: string, freezeAfter: number, nowMs: number): Promise<CountedFailure> {
  const counted = await db.updateTable('cards').set({ verification_failures: sql<number>`verification_failures + 1` })
    .where('id', '=', cardId).returning('verification_failures').executeTakeFirstOrThrow();
  const failures = Number(counted.verification_failures);
  if (failures < freezeAfter) return { failures, froze: false };
  // The update above holds the card's row until commit: nobody changes its status in between.
  const frozen = await db.updateTable('cards').set({ status: 'frozen', status_reason: 'card_testing', updated_at: nowMs })
    .where('id', '=', cardId).where('status', '=', 'active').executeTakeFirst();
  return { failures, froze: Number(frozen.numUpdatedRows) === 1 };
}
