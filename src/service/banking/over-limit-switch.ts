// The cardholder may switch the over-limit allowance off, and on again (with a code), while it is unused
// (the transition is domain/over-limit-allowance.ts).
import { canSwitchOverLimit, nextAllowance } from '../../domain/over-limit-allowance.js';
import { appendAudit } from '../../store/audit.repository.js';
import { overLimitAllowanceOf, overLimitColumns } from '../../store/cards.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { cardView } from './card-view.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

export async function switchOverLimit(ctx: ServiceContext, customerId: string, cardId: string, input: { enabled: boolean; otp?: string }, actor: Actor) {
  const before = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  if (input.enabled && before.account.over_limit_enabled === 0) await requireOtp(ctx, customerId, input.otp, 'step_up');
  const view = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const { card, account, product } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
    const allowance = overLimitAllowanceOf(account);
    if (!canSwitchOverLimit(allowance)) {
      throw new ServiceError('invalid_transition', 'The one-time over-limit allowance has already been used.');
    }
    const next = nextAllowance(allowance, { type: 'switched', enabled: input.enabled });
    const columns = overLimitColumns(next);
    if (next.enabled !== allowance.enabled) {
      await trx.updateTable('card_accounts').set(columns).where('id', '=', account.id).execute();
      await appendAudit(trx, { accountId: account.id, actorType: actor.type,
        actorId: actor.id, sourceIp: actor.ip, action: 'card.over_limit_switched', subject: card.id,
        before: { enabled: account.over_limit_enabled === 1 }, after: { enabled: input.enabled }, nowMs });
      await addNotification(trx, { customerId, accountId: account.id, cardId: card.id, kind: 'over_limit_switched', severity: 'info', nowMs, data: { enabled: input.enabled },
        message: input.enabled ? 'You switched the over-limit allowance on.' : 'You switched the over-limit allowance off.' });
    }
    return cardView(card, { ...account, ...columns }, product);
  });
  ctx.events.publish(customerId);
  return view;
}
