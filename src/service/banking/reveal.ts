// Reveals the full card details to their owner after a step-up code (SPEC §6). Audited and
// notified; the PAN and CVV2 go only into the response, never a log.
import { appendAudit } from '../../store/audit.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { openPan } from './issue-card.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

export async function revealCard(ctx: ServiceContext, customerId: string, cardId: string, otp: string | undefined, actor: Actor) {
  // Ownership first: another customer's card is 404 before any code is checked or counted.
  await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  await requireOtp(ctx, customerId, otp, 'step_up');
  const result = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const { card } = await loadOwnCard(trx, ctx, customerId, cardId);
    const pan = await openPan(ctx, card, trx);
    await appendAudit(trx, { accountId: card.account_id, actorType: actor.type,
      actorId: actor.id, sourceIp: actor.ip, action: 'card.revealed', subject: card.id, nowMs });
    await addNotification(trx, { customerId, accountId: card.account_id, cardId: card.id, kind: 'card_revealed', severity: 'info',
      message: `The full number of your card ending ${card.last4} was shown in online banking.`, nowMs });
    return { pan, expiry: card.expiry, cvv2: ctx.keyring.cvv2(pan, card.expiry) };
  });
  ctx.events.publish(customerId);
  return result;
}
