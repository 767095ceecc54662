// Cancels the card and closes its card account (SPEC §2): only with nothing outstanding — no
// balance owed, no open hold, and no credit left to give back. Step-up code. Afterwards the
// customer may request a new card; the over-limit allowance follows them (issue-card.ts).
import { formatKd } from '../../domain/money.js';
import { outstandingFils } from '../../domain/limits.js';
import type { Trx } from '../../store/db.js';
import type { CardAccount } from '../../store/schema.js';
import { inTransaction } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { cardView, type CardView } from './card-view.js';
import { recordCardChange, requireTransition } from './lifecycle-common.js';
import { loadOwnCard } from './load-card.js';
import { requireOtp } from './totp.js';

function requireNothingOutstanding(account: CardAccount): void {
  const owedFils = outstandingFils({ postedFils: account.posted_fils, heldFils: account.held_fils });
  if (owedFils === 0) return;
  const detail = owedFils > 0
    ? `You owe ${formatKd(owedFils)} (including pending purchases). Pay it and wait for pending purchases to settle before cancelling.`
    : `Your card has a credit balance of ${formatKd(-owedFils)}. Contact the bank to have it paid out before cancelling.`;
  throw new ServiceError('outstanding_balance', detail, { outstanding: owedFils, currency: 'KWD' });
}

export async function cancelCard(ctx: ServiceContext, customerId: string, cardId: string, otp: string | undefined, actor: Actor): Promise<CardView> {
  const before = await inTransaction(ctx.handle, (trx) => loadOwnCard(trx, ctx, customerId, cardId));
  requireTransition(before.card, 'cancel');
  requireNothingOutstanding(before.account);
  await requireOtp(ctx, customerId, otp, 'step_up');

  const view = await inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    // The account lock makes the check and the close atomic against a concurrent authorization.
    const { card, account, product } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
    const decision = requireTransition(card, 'cancel');
    if (account.status !== 'open') throw new ServiceError('invalid_transition', 'This card account is already closed.', { cardStatus: card.status });
    requireNothingOutstanding(account);
    await trx.updateTable('cards').set({ status: decision.next, status_reason: 'cardholder', updated_at: nowMs }).where('id', '=', card.id).execute();
    await closeAccount(trx, account, nowMs);
    await recordCardChange(trx, ctx, {
      card, to: decision.next, reason: 'cardholder', action: 'card.cancelled', actor, nowMs, severity: 'info',
      message: `Your card ending ${card.last4} is cancelled and its card account closed.`, after: { accountStatus: 'closed' },
    });
    return cardView({ ...card, status: decision.next, updated_at: nowMs }, { ...account, status: 'closed', closed_at: nowMs }, product);
  });
  ctx.events.publish(customerId);
  return view;
}

/** Closes the account; any other still-usable card on it (none, normally) is cancelled with it. */
async function closeAccount(trx: Trx, account: CardAccount, nowMs: number): Promise<void> {
  await trx.updateTable('card_accounts').set({ status: 'closed', closed_at: nowMs }).where('id', '=', account.id).execute();
  await trx.updateTable('cards').set({ status: 'cancelled', status_reason: 'account_closed', updated_at: nowMs })
    .where('account_id', '=', account.id).where('status', 'in', ['active', 'frozen', 'blocked', 'expired']).execute();
}
