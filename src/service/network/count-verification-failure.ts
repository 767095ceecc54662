// The card-testing guard (SPEC §2): a wrong CVV2 or expiry, in an authorization or a 3-D Secure
// authentication, counts toward freezing the card; the failure that freezes it tells the
// cardholder and the audit log, once however many failures race. Runs in the caller's transaction.
import { CARD_TESTING_FREEZE_AFTER } from '../../domain/rules.js';
import { appendAudit } from '../../store/audit.repository.js';
import { countVerificationFailure as countFailure } from '../../store/card-testing.repository.js';
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
  const { failures, froze } = await countFailure(trx, card.id, CARD_TESTING_FREEZE_AFTER, nowMs);
  if (!froze) return false;
  await addNotification(trx, { customerId: card.customer_id, accountId, cardId: card.id, nowMs,
    kind: 'card_frozen', severity: 'alert',
    message: `Your card ending ${card.last4} was frozen after ${failures} failed security-code or expiry checks in a row. If this was you, unfreeze it in online banking.` });
  await appendAudit(trx, { accountId, actorType: 'system',
    actorId: 'card-testing-guard', action: 'card.frozen', subject: card.id,
    before: { status: 'active' }, after: { status: 'frozen', reason: 'card_testing' }, nowMs });
  return true;
}
