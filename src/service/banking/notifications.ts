// The cardholder's notifications: a newest-first page (cursor on (created_at, id)), and the
// oldest-first reads the event stream uses to catch up.
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { olderThan } from '../../store/keyset.js';
import type { Selectable } from 'kysely';
import type { NotificationsTable } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { fieldError } from '../errors.js';

export interface NotificationView {
  id: string; kind: string; severity: 'info' | 'alert'; message: string; cardId: string | null;
  data: Record<string, unknown>; read: boolean; createdAt: string;
}

export function notificationView(n: Selectable<NotificationsTable>): NotificationView {
  let data: Record<string, unknown> = {};
  try { data = JSON.parse(n.data) as Record<string, unknown>; } catch { /* stored by us; never fails in practice */ }
  return {
    id: n.id, kind: n.kind, severity: n.severity, message: n.message, cardId: n.card_id, data,
    read: n.read_at !== null, createdAt: new Date(n.created_at).toISOString(),
  };
}

export async function listNotificationPage(ctx: ServiceContext, customerId: string, q: { cursor?: string; limit?: number }) {
  const limit = q.limit ?? 20;
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  if (q.cursor && !cursor) throw fieldError('cursor', 'not a cursor this API returned');
  const rows = await ctx.handle.db.selectFrom('notifications').selectAll()
    .where('customer_id', '=', customerId).where(olderThan(cursor, 'notifications'))
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(notificationView),
    nextCursor: rows.length > limit ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/** A notification of this customer by id (for Last-Event-ID), or undefined. */
export async function findOwnNotification(ctx: ServiceContext, customerId: string, id: string) {
  return ctx.handle.db.selectFrom('notifications').selectAll()
    .where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
}

/** Oldest first, created at or after fromMs (the stream de-duplicates by id). */
export async function notificationsSince(ctx: ServiceContext, customerId: string, fromMs: number, limit = 200) {
  return ctx.handle.db.selectFrom('notifications').selectAll()
    .where('customer_id', '=', customerId).where('created_at', '>=', fromMs)
    .orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
}
