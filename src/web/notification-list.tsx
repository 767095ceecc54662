// The cardholder's notifications as a list; alerts (blocked attempts, security events) stand out.
// The client script prepends new ones live from the event stream.
// Texts are rendered in the page's language from each notification's kind and data.
import { notificationRows } from '../store/notifications.repository.js';
import { formatDate } from './components.js';
import { localizedNotifications } from './notification-text.js';
import type { BankingWeb } from './web-context.js';

export interface NotificationItem { id: string; kind: string; severity: string; message: string; createdAt: string }

export async function recentNotifications(w: BankingWeb, limit: number): Promise<NotificationItem[]> {
  const rows = await notificationRows(w.deps.handle.db, w.customerId, { order: 'newest', before: null, limit });
  return localizedNotifications(w.deps, w.customerId, rows, w.lang);
}

export function NotificationList({ w, items }: { w: BankingWeb; items: NotificationItem[] }) {
  return (
    <ul class="notifications" data-live-list="notifications" data-empty={w.t.notificationsEmpty}>
      {items.length === 0 ? <li class="empty">{w.t.notificationsEmpty}</li> : null}
      {items.map((n) => (
        <li class={n.severity === 'alert' ? 'notification alert' : 'notification'} data-id={n.id}>
          {n.severity === 'alert' ? <strong class="tag">{w.t.alert}</strong> : null}
          <span class="message" dir="auto">{n.message}</span>
          <time datetime={n.createdAt}>{formatDate(w.lang, n.createdAt, true)}</time>
        </li>
      ))}
    </ul>
  );
}
