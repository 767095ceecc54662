// Replaces a card (SPEC §2): a new PAN, expiry and CVV2 on the same card account, so balances and
// the over-limit state carry over (they live on the account). The old card becomes `replaced`
// (declined 14 from then on) unless it was lost or stolen, which it stays (41/43). Step-up code.
import { appendAudit } from '../../store/audit.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { cardView, type CardView } from './card-view.js';
import { issueCardOnAccount } from './issue-card.js';
import { recordCardChange, requireTransition } from './lifecycle-common.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

export async function replaceCard(ctx: ServiceContext, customerId: string, cardId: string, otp: string | undefined, actor: Actor): Promise<CardView> {
  // Ownership (404) and the transition first: a request that must fail does not spend a code.
  const before = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  requireTransition(before.card, 'replace');
  await requireOtp(ctx, customerId, otp, 'step_up');

  const view = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const { card, account, product } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
    const decision = requireTransition(card, 'replace');
    if (account.status !== 'open') throw new ServiceError('invalid_transition', 'This card account is closed.', { cardStatus: card.status });
    const fresh = await issueCardOnAccount(trx, ctx, { accountId: account.id, customerId, bin: product.bin, nowMs });
    await trx.updateTable('cards').set({ status: decision.next, replaced_by: fresh.id, updated_at: nowMs })
      .where('id', '=', card.id).execute();
    await recordCardChange(trx, ctx, {
      card, to: decision.next, reason: null, action: 'card.replaced', actor, nowMs, severity: 'info',
      message: `Your card ending ${card.last4} was replaced by a new card ending ${fresh.last4}. Use the new number from now on.`,
      after: { replacedBy: fresh.id },
    });
    await appendAudit(trx, {
      accountId: account.id, actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
      action: 'card.issued', subject: fresh.id, after: { replaces: card.id, last4: fresh.last4, expiry: fresh.expiry }, nowMs,
    });
    await addNotification(trx, { customerId, accountId: account.id, cardId: fresh.id, kind: 'card_issued', severity: 'info',
      message: `Your replacement card ending ${fresh.last4} is ready.`, nowMs, data: { replaces: card.id } });
    return cardView(fresh, account, product);
  });
  ctx.events.publish(customerId);
  return view;
}
