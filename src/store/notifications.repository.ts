import { newId } from '../ids.js';
import type { Executor } from './db.js';
import { param, prepared } from './prepared.js';
import type { NotificationsTable } from './schema.js';

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

// Most approvals notify the cardholder: compiled once.
const insertNotification = prepared<NotificationsTable, never>((db) => db.insertInto('notifications').values({
  id: param('id'), customer_id: param('customer_id'), account_id: param('account_id'), card_id: param('card_id'),
  kind: param('kind'), severity: param('severity'), message: param('message'), data: param('data'),
  created_at: param('created_at'), read_at: param('read_at'),
}));

export async function addNotification(trx: Executor, n: NewNotification): Promise<string> {
  const id = newId('ntf', n.nowMs);
  await insertNotification.execute(trx, {
    id, customer_id: n.customerId, account_id: n.accountId ?? null, card_id: n.cardId ?? null,
    kind: n.kind, severity: n.severity, message: n.message, data: JSON.stringify(n.data ?? {}),
    created_at: n.nowMs, read_at: null,
  });
  return id;
}

export async function listNotifications(db: Executor, customerId: string, options: { afterId?: string; limit: number }) {
  let q = db.selectFrom('notifications').selectAll().where('customer_id', '=', customerId);
  if (options.afterId) q = q.where('id', '>', options.afterId);
  return q.orderBy('id', options.afterId ? 'asc' : 'desc').limit(options.limit).execute();
}
