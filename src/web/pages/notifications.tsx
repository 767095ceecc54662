// Every notification, newest first; new ones arrive live (the client script listens to the stream).
// Alerts carry their actions ("Freeze card", "This was me"); `?ok=<id>` is the answer to the latter.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listCards } from '../../service/banking/list-cards.js';
import { currentCard } from '../cards.js';
import { Notice } from '../components.js';
import { page } from '../layout.js';
import { NotificationList, recentNotifications } from '../notification-list.js';
import { bankingPage } from '../web-context.js';

export function registerNotificationsPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/notifications', bankingPage(deps, async (w) => {
    const items = await recentNotifications(w, 50);
    const card = currentCard(await listCards(deps, w.customerId));
    const ok = w.c.req.query('ok');
    const acknowledged = ok !== undefined && items.some((n) => n.id === ok);
    return page(w, { title: w.t.notificationsTitle, nav: 'notifications' }, (
      <section class="panel">
        <h1>{w.t.notificationsTitle}</h1>
        {acknowledged ? <Notice kind="success">{w.t.thisWasMeDone}</Notice> : null}
        <p class="hint">{w.t.liveLabel}</p>
        <NotificationList w={w} items={items} card={card} />
      </section>
    ));
  }));
}
