// Shared by the lifecycle verbs (change-card-status, replace-card, cancel-card): ask the domain
// table, and record a change the same way everywhere (audit entry + cardholder notification).
import { decideTransition, type CardAction } from '../../domain/card-lifecycle.js';
import { appendAudit } from '../../store/audit.repository.js';
import type { Trx } from '../../store/db.js';
import { addNotification } from '../../store/notifications.repository.js';
import type { Card, CardStatus } from '../../store/schema.js';
import type { Actor, ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';

/** The next status, or a 409 invalid_transition naming the card's status. */
export function requireTransition(card: Card, action: CardAction) {
  const decision = decideTransition({ status: card.status, replacedBy: card.replaced_by }, action);
  if (!decision.ok) throw new ServiceError(decision.code, decision.message, { cardStatus: card.status, action });
  return decision;
}

export interface StatusChange {
  card: Card;
  to: CardStatus;
  reason: string | null;
  action: string;
  actor: Actor;
  message: string;
  severity: 'info' | 'alert';
  after?: Record<string, unknown>;
  nowMs: number;
}

export async function recordCardChange(trx: Trx, ctx: ServiceContext, c: StatusChange): Promise<void> {
  await appendAudit(trx, {
    accountId: c.card.account_id, actorType: c.actor.type, actorId: c.actor.id, sourceIp: c.actor.ip,
    action: c.action, subject: c.card.id, before: { status: c.card.status },
    after: { status: c.to, ...(c.reason ? { reason: c.reason } : {}), ...c.after }, nowMs: c.nowMs,
  });
  await addNotification(trx, {
    customerId: c.card.customer_id, accountId: c.card.account_id, cardId: c.card.id, kind: 'card_status_changed',
    severity: c.severity, message: c.message, nowMs: c.nowMs, data: { from: c.card.status, to: c.to, ...c.after },
  });
}
