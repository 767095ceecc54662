// The cardholder's notifications as a list; alerts (blocked attempts, security events) stand out.
// The client script prepends new ones live from the event stream.
// Texts are rendered in the page's language from each notification's kind and data.
import type { CardView } from '../service/banking/card-view.js';
import { localizedNotifications } from '../service/banking/localized-notifications.js';
import { notificationRows } from '../store/notifications.repository.js';
import { formatDate } from './components.js';
import type { BankingWeb } from './web-context.js';

export interface NotificationItem { id: string; kind: string; severity: string; message: string; createdAt: string }

export async function recentNotifications(w: BankingWeb, limit: number): Promise<NotificationItem[]> {
  const rows = await notificationRows(w.deps.handle.db, w.customerId, { order: 'newest', before: null, limit });
  return localizedNotifications(w.deps, w.customerId, rows, w.lang);
}

/** What an alert offers: freeze the card at once, or say it was you (nothing more to do). */
function AlertActions({ w, n, card }: { w: BankingWeb; n: NotificationItem; card?: CardView | null }) {
  if (n.severity !== 'alert') return null;
  return (
    <span class="alert-actions">
      {card?.status === 'active' ? <a class="button small danger" href={`/cards/${card.id}/freeze`}>{w.t.actionFreeze}</a> : null}
      <a class="button small" href={`/notifications?ok=${encodeURIComponent(n.id)}#n-${n.id}`}>{w.t.thisWasMe}</a>
    </span>
  );
}

export function NotificationList({ w, items, card }: { w: BankingWeb; items: NotificationItem[]; card?: CardView | null }) {
  return (
    <ul class="notifications" data-live-list="notifications" data-empty={w.t.notificationsEmpty}
      data-freeze-href={card?.status === 'active' ? `/cards/${card.id}/freeze` : undefined} data-freeze-label={w.t.actionFreeze}
      data-ok-label={w.t.thisWasMe}>
      {items.length === 0 ? <li class="empty">{w.t.notificationsEmpty}</li> : null}
      {items.map((n) => (
        <li class={n.severity === 'alert' ? 'notification alert' : 'notification'} data-id={n.id} id={`n-${n.id}`}>
          {n.severity === 'alert' ? <strong class="tag">{w.t.alert}</strong> : null}
          <span class="message" dir="auto">{n.message}</span>
          <time datetime={n.createdAt}>{formatDate(w.lang, n.createdAt, true)}</time>
          <AlertActions w={w} n={n} card={card} />
        </li>
      ))}
    </ul>
  );
}
