// Freeze, unfreeze and report lost/stolen (SPEC §2): no code needed — they only make the card
// safer — except to unfreeze a card the card-testing guard froze, which needs a step-up code.
// Effective for the very next authorization, which reads the card status in its transaction.
import { nextCardTesting } from '../../domain/card-testing-guard.js';
import { writeCardTesting } from '../../store/card-testing.repository.js';
import { unfreezeNeedsStepUp, type CardAction } from '../../domain/card-lifecycle.js';
import { setCardStatus } from '../../store/cards.repository.js';
import type { Card } from '../../store/schema.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { cardView, type CardView } from './card-view.js';
import { recordCardChange, requireTransition } from './lifecycle-common.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

export type StatusAction = Extract<CardAction, 'freeze' | 'unfreeze' | 'report_lost' | 'report_stolen'>;

const MESSAGES: Record<StatusAction, (last4: string) => string> = {
  freeze: (l) => `Your card ending ${l} is frozen. Purchases will be declined until you unfreeze it.`,
  unfreeze: (l) => `Your card ending ${l} is active again.`,
  report_lost: (l) => `Your card ending ${l} was reported lost and can no longer be used. You can request a replacement.`,
  report_stolen: (l) => `Your card ending ${l} was reported stolen and can no longer be used. You can request a replacement.`,
};

const STATUS_REASON: Record<StatusAction, string | null> = {
  freeze: 'cardholder', unfreeze: null, report_lost: 'reported_by_cardholder', report_stolen: 'reported_by_cardholder',
};

const needsStepUp = (card: Pick<Card, 'status' | 'status_reason'>) =>
  unfreezeNeedsStepUp({ status: card.status, statusReason: card.status_reason });

/** Whether unfreezing the customer's card now needs a step-up code (the web page asks for one). */
export async function unfreezeNeedsCode(ctx: ServiceContext, customerId: string, cardId: string): Promise<boolean> {
  const { card } = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  return needsStepUp(card);
}

export async function changeCardStatus(ctx: ServiceContext, customerId: string, cardId: string, action: StatusAction, actor: Actor, otp?: string): Promise<CardView> {
  let steppedUp = false;
  if (action === 'unfreeze') {
    // Ownership first: another customer's card is 404 before any code is checked or counted.
    const { card } = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
    if (needsStepUp(card)) {
      await requireOtp(ctx, customerId, otp, 'step_up');
      steppedUp = true;
    }
  }
  const result = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const { card, account, product } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
    // The guard may have frozen the card since it was read above.
    if (action === 'unfreeze' && !steppedUp && needsStepUp(card)) {
      throw new ServiceError('step_up_required', 'A one-time code from your authenticator app is required.', {}, undefined, 403);
    }
    const decision = requireTransition(card, action);
    if (!decision.changed) return { view: cardView(card, account, product), changed: false };
    const reason = STATUS_REASON[action];
    await setCardStatus(trx, card.id, decision.next, reason, nowMs);
    if (action === 'unfreeze') {
      await writeCardTesting(trx, card.id, nextCardTesting({ verificationFailures: card.verification_failures, status: decision.next }, 'unfrozen'));
    }
    await recordCardChange(trx, ctx, {
      card, to: decision.next, reason,
      action: `card.${action}`, actor, nowMs, message: MESSAGES[action](card.last4),
      severity: action.startsWith('report_') ? 'alert' : 'info',
      after: card.status_reason && action === 'unfreeze' ? { previousReason: card.status_reason } : undefined,
    });
    return { view: cardView({ ...card, status: decision.next, status_reason: reason, updated_at: nowMs }, account, product), changed: true };
  });
  if (result.changed) ctx.events.publish(customerId);
  return result.view;
}
