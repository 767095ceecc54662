// The card-testing guard (SPEC §2; the rule is domain/card-testing-guard.ts): a wrong CVV2 or
// expiry, in an authorization, an advice or a 3-D Secure authentication, counts toward freezing the
// card; the failure that freezes it tells the cardholder and the audit log, once however many
// failures race. A decision that proves the card starts the count again. Runs in the caller's
// transaction.
import { nextCardTesting, type CardTestingEvent } from '../../domain/card-testing-guard.js';
import { appendAudit } from '../../store/audit.repository.js';
import { countVerificationFailure as countFailure, writeCardTesting } from '../../store/card-testing.repository.js';
import type { Trx } from '../../store/db.js';
import { addNotification } from '../../store/notifications.repository.js';
import type { Card } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';

export interface FailedCheck {
  card: Pick<Card, 'id' | 'customer_id' | 'last4'>;
  accountId: string;
  nowMs: number;
}

/** Counts one failure; true when it froze the card (the cardholder has a notification to read). */
export async function countVerificationFailure(trx: Trx, ctx: ServiceContext, f: FailedCheck): Promise<boolean> {
  const { card, accountId, nowMs } = f;
  // Counted atomically by the store, which asks the domain whether the count freezes the card.
  const { failures, froze } = await countFailure(trx, card.id, nowMs);
  if (!froze) return false;
  await addNotification(trx, { customerId: card.customer_id, accountId, cardId: card.id, nowMs,
    kind: 'card_frozen', severity: 'alert',
    message: `Your card ending ${card.last4} was frozen after ${failures} failed security-code or expiry checks in a row. If this was you, unfreeze it in online banking.` });
  await appendAudit(trx, { accountId, actorType: 'system',
    actorId: 'card-testing-guard', action: 'card.frozen', subject: card.id,
    before: { status: 'active' }, after: { status: 'frozen', reason: 'card_testing' }, nowMs });
  return true;
}

/**
 * Applies what a decision tells the guard (decideAuthorization's cardChange) to a card read under
 * its lock. True when a failure froze the card.
 */
export async function applyCardChange(trx: Trx, ctx: ServiceContext, event: CardTestingEvent | null,
  f: FailedCheck & { card: Pick<Card, 'status' | 'verification_failures'> }): Promise<boolean> {
  if (event === 'verification_failed') return countVerificationFailure(trx, ctx, f);
  if (event === 'card_proven') {
    const next = nextCardTesting({ verificationFailures: f.card.verification_failures, status: f.card.status }, event);
    // Most proven cards have no count: nothing to write.
    if (next.verificationFailures !== f.card.verification_failures) await writeCardTesting(trx, f.card.id, next);
  }
  return false;
}
