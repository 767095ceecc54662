// Changes the credit line (SPEC §3): to another allowed value, effective for the next
// authorization; an increase needs a step-up code; a decrease below outstanding is refused.
import { checkLimitChange } from '../../domain/limits.js';
import { formatKd } from '../../domain/money.js';
import { appendAudit } from '../../store/audit.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError, ServiceError } from '../errors.js';
import { cardView } from './card-view.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

export async function changeLimit(ctx: ServiceContext, customerId: string, cardId: string, input: { limit: number; otp?: string }, actor: Actor) {
  const before = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  if (!before.product.allowedLimits.includes(input.limit)) {
    throw fieldError('limit', `must be one of ${before.product.allowedLimits.join(', ')} (fils)`);
  }
  if (input.limit > before.account.limit_fils) await requireOtp(ctx, customerId, input.otp, 'step_up');

  const view = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const { card, account, product } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
    if (account.status !== 'open' || ['cancelled', 'replaced'].includes(card.status)) {
      throw new ServiceError('invalid_transition', 'This card account is closed.');
    }
    const check = checkLimitChange({
      limitFils: account.limit_fils, postedFils: account.posted_fils, heldFils: account.held_fils,
      overLimitEnabled: account.over_limit_enabled === 1, overLimitUsed: account.over_limit_used === 1,
    }, input.limit, product.allowedLimits);
    if (check === 'below_outstanding') {
      const owedFils = account.posted_fils + account.held_fils;
      throw new ServiceError('limit_below_outstanding', `You owe ${formatKd(owedFils)}; pay it down before lowering the limit to ${formatKd(input.limit)}.`, { outstanding: owedFils });
    }
    if (check === 'ok') {
      await trx.updateTable('card_accounts').set({ limit_fils: input.limit }).where('id', '=', account.id).execute();
      await appendAudit(trx, { accountId: account.id, actorType: actor.type,
        actorId: actor.id, sourceIp: actor.ip, action: 'card.limit_changed', subject: card.id,
        before: { limitFils: account.limit_fils }, after: { limitFils: input.limit }, nowMs });
      await addNotification(trx, { customerId, accountId: account.id, cardId: card.id, kind: 'limit_changed', severity: 'info',
        message: `Your card limit changed from ${formatKd(account.limit_fils)} to ${formatKd(input.limit)}.`, nowMs,
        data: { from: account.limit_fils, to: input.limit } });
    }
    return cardView(card, { ...account, limit_fils: input.limit }, product);
  });
  ctx.events.publish(customerId);
  return view;
}
