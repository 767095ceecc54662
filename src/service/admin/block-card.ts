// Bank staff block a card with a reason (SPEC §2). Blocked cards are declined 62 card_blocked.
import { appendAudit } from '../../store/audit.repository.js';
import { findCard, setCardStatus } from '../../store/cards.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { requireTransition } from '../banking/lifecycle-common.js';

export async function blockCard(ctx: ServiceContext, cardId: string, reason: string, actor: Actor) {
  const result = await inTransaction(ctx.handle, async (trx) => {
    const card = await findCard(trx, cardId);
    if (!card) throw notFound('Card');
    requireTransition(card, 'block');
    const nowMs = ctx.clock.now();
    await setCardStatus(trx, card.id, 'blocked', reason, nowMs);
    await appendAudit(trx, { accountId: card.account_id, actorType: actor.type,
      actorId: actor.id, sourceIp: actor.ip, action: 'card.blocked', subject: card.id,
      before: { status: card.status }, after: { status: 'blocked', reason }, nowMs });
    await addNotification(trx, { customerId: card.customer_id, accountId: card.account_id, cardId: card.id,
      kind: 'card_status_changed', severity: 'alert', nowMs, data: { from: card.status, to: 'blocked' },
      message: `The bank blocked your card ending ${card.last4}. Contact us if you did not expect this.` });
    return { id: card.id, status: 'blocked' as const, reason, customerId: card.customer_id };
  });
  ctx.events.publish(result.customerId);
  return { id: result.id, status: result.status, reason: result.reason };
}
