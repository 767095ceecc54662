// The API's notification shape with `message` in the reader's language: the list, the event
// stream and the web pages alike.
import type { Language } from '../../domain/money.js';
import { notificationText } from '../../domain/texts/notification-text.js';
import type { NotificationRow } from '../../store/notifications.repository.js';
import type { ServiceContext } from '../context.js';
import { notificationReferences, notificationView, type NotificationView } from './notifications.js';

export async function localizedNotifications(ctx: ServiceContext, customerId: string, rows: NotificationRow[], lang: Language): Promise<NotificationView[]> {
  const refs = await notificationReferences(ctx, rows, customerId);
  return rows.map((row) => ({ ...notificationView(row), message: notificationText(row, refs, lang) }));
}
