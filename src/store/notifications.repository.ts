import { newId } from '../ids.js';
import type { Executor } from './db.js';

export interface NewNotification {
  customerId: string;
  accountId?: string | null;
  cardId?: string | null;
  kind: string;
  severity: 'info' | 'alert';
  message: string;
  data?: Record<string, unknown>;
  nowMs: number;
}

export async function addNotification(trx: Executor, n: NewNotification): Promise<string> {
  const id = newId('ntf', n.nowMs);
  await trx.insertInto('notifications').values({
    id, customer_id: n.customerId, account_id: n.accountId ?? null, card_id: n.cardId ?? null,
    kind: n.kind, severity: n.severity, message: n.message, data: JSON.stringify(n.data ?? {}),
    created_at: n.nowMs, read_at: null,
  }).execute();
  return id;
}

export async function listNotifications(db: Executor, customerId: string, options: { afterId?: string; limit: number }) {
  let q = db.selectFrom('notifications').selectAll().where('customer_id', '=', customerId);
  if (options.afterId) q = q.where('id', '>', options.afterId);
  return q.orderBy('id', options.afterId ? 'asc' : 'desc').limit(options.limit).execute();
}
