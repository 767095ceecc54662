// The cardholder's notifications: a newest-first page (cursor on (created_at, id)), and the
// oldest-first reads the event stream uses to catch up.
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { parseNotificationData as parseData, type NotificationReferences } from '../../domain/texts/notification-text.js';
import {
  findNotification, isChained, NOTIFICATION_PREFIX, notificationRows, notificationWindow, type NotificationRow,
} from '../../store/notifications.repository.js';
import type { ServiceContext } from '../context.js';
import { fieldError } from '../errors.js';

// The stream's catch-up walks each account's chain back only as far as it sent (notificationsSince).
export { isChained, type NotificationRow };

export interface NotificationView {
  id: string; kind: string; severity: 'info' | 'alert'; message: string; cardId: string | null;
  data: Record<string, unknown>; read: boolean; createdAt: string;
}

export function notificationView(n: NotificationRow): NotificationView {
  const data = parseData(n.data);
  return {
    id: n.id, kind: n.kind, severity: n.severity, message: n.message, cardId: n.card_id, data,
    read: n.read_at !== null, createdAt: new Date(n.created_at).toISOString(),
  };
}

/**
 * One newest-first page of rows; the caller renders them (localized-notifications.ts). The cursor
 * carries, besides the last row's key, where each account's chain walk resumes.
 */
export async function listNotificationRows(ctx: ServiceContext, customerId: string, q: { cursor?: string; limit?: number }) {
  const limit = q.limit ?? 20;
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  // Every notification id has the one prefix (purchases too): any other id was not made here.
  if (q.cursor && !cursor?.id.startsWith(NOTIFICATION_PREFIX)) throw fieldError('cursor', 'not a cursor this API returned');
  const window = await notificationWindow(ctx.handle.db, customerId, { order: 'newest', before: cursor, limit: limit + 1 });
  if (window.cursorRefused) throw fieldError('cursor', 'not a cursor this API returned for this page: start from the first page');
  const page = window.rows.slice(0, limit);
  const last = page[page.length - 1];
  const key = last && { createdAt: last.created_at, id: last.id };
  return { rows: page, nextCursor: window.rows.length > limit ? encodeCursor(key, window.resumeIdsAt(key)) : null };
}

/**
 * What the notifications' texts need beyond their own rows (domain/texts/notification-text.ts), read
 * in two batched queries: the cards they name and the authorizations they point to.
 */
export async function notificationReferences(ctx: ServiceContext, rows: NotificationRow[], customerId: string): Promise<NotificationReferences> {
  const cardIds = new Set<string>();
  const authIds = new Set<string>();
  for (const row of rows) {
    if (row.card_id) cardIds.add(row.card_id);
    if (row.kind === 'card_status_changed' || row.kind === 'over_limit_used') {
      const data = parseData(row.data);
      if (typeof data.replacedBy === 'string') cardIds.add(data.replacedBy);
      if (row.kind === 'over_limit_used' && typeof data.authorizationId === 'string') authIds.add(data.authorizationId);
    }
  }
  const db = ctx.handle.db;
  const [cards, auths] = await Promise.all([
    cardIds.size ? db.selectFrom('cards').select(['id', 'last4']).where('customer_id', '=', customerId).where('id', 'in', [...cardIds]).execute() : [],
    authIds.size ? db.selectFrom('authorizations').innerJoin('cards', 'cards.id', 'authorizations.card_id')
      .select(['authorizations.id', 'authorizations.billing_fils', 'authorizations.merchant_name'])
      .where('cards.customer_id', '=', customerId).where('authorizations.id', 'in', [...authIds]).execute() : [],
  ]);
  return {
    last4: new Map(cards.map((c) => [c.id, c.last4])),
    authorizations: new Map(auths.map((a) => [a.id, { billingFils: a.billing_fils === null ? null : Number(a.billing_fils), merchantName: a.merchant_name }])),
  };
}

/** A notification of this customer by id (for Last-Event-ID), or undefined. */
export async function findOwnNotification(ctx: ServiceContext, customerId: string, id: string) {
  return findNotification(ctx.handle.db, customerId, id);
}

/**
 * Oldest first, created at or after fromMs (the stream de-duplicates by id); of an account in
 * chainedFromMs, its chained notifications from that time on only (store/notifications.repository.ts).
 */
export async function notificationsSince(ctx: ServiceContext, customerId: string, fromMs: number, limit = 200, chainedFromMs?: ReadonlyMap<string, number>) {
  return notificationRows(ctx.handle.db, customerId, { order: 'oldest', fromMs, limit, chainedFromMs });
}
