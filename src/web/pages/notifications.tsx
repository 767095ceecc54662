// Every notification, newest first; new ones arrive live (the client script listens to the stream).
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { page } from '../layout.js';
import { NotificationList, recentNotifications } from '../notification-list.js';
import { bankingPage } from '../web-context.js';

export function registerNotificationsPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/notifications', bankingPage(deps, async (w) => {
    const items = await recentNotifications(w, 50);
    return page(w, { title: w.t.notificationsTitle, nav: 'notifications' }, (
      <section class="panel">
        <h1>{w.t.notificationsTitle}</h1>
        <p class="hint">{w.t.liveLabel}</p>
        <NotificationList w={w} items={items} />
      </section>
    ));
  }));
}
