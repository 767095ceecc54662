// Notifications: a newest-first page, and a server-sent event stream that first replays what came
// after Last-Event-ID (or ?since=<notification id>), then pushes new ones as ctx.events fires for
// the customer, with a heartbeat comment so proxies keep the connection open.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { Context } from 'hono';
import type { Language } from '../../domain/money.js';
import { localizedNotifications } from '../../service/banking/localized-notifications.js';
import {
  findOwnNotification, listNotificationRows, notificationsSince,
} from '../../service/banking/notifications.js';
import { getProfile } from '../../service/banking/profile.js';
import { isSessionLive } from '../../service/banking/sessions.js';
import type { AppDeps, AppEnv } from '../env.js';
import { commonErrors, jsonResponse } from '../openapi-common.js';
import { COMMIT_SKEW_MS, Replayer } from './notification-replayer.js';
import { NotificationPageSchema, PageQuery } from './schemas.js';

export const HEARTBEAT_MS = 15_000;

const security = [{ bearer: [] }];
const LangQuery = z.enum(['en', 'ar']).optional().openapi({
  description: "Language of `message`: this, else Accept-Language (en or ar), else the customer's stored language",
});
const list = createRoute({
  method: 'get', path: '/v1/banking/notifications', tags: ['banking'], security,
  summary: 'Your notifications, newest first', request: { query: PageQuery.extend({ lang: LangQuery }) },
  responses: { 200: jsonResponse(NotificationPageSchema, 'One page'), ...commonErrors },
});
const stream = createRoute({
  method: 'get', path: '/v1/banking/notifications/stream', tags: ['banking'], security,
  summary: 'Notifications as server-sent events',
  description: 'Each event is `event: notification`, `id: <notification id>`, `data: <Notification JSON>`. '
    + 'Reconnect with Last-Event-ID (or ?since=<id>) to receive what you missed. A `: heartbeat` comment every 15 s.',
  request: { query: z.object({ since: z.string().max(64).optional(), lang: LangQuery }) },
  responses: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...commonErrors },
});

/**
 * Which language `message` is written in. An event stream cannot set headers (EventSource), so the
 * web pages name theirs in `?lang`; other clients may send Accept-Language; otherwise the language
 * the customer chose last (customers.language, the one transaction descriptions use).
 */
async function messageLanguage(c: Context<AppEnv>, deps: AppDeps, asked: Language | undefined): Promise<Language> {
  if (asked) return asked;
  const primary = (c.req.header('accept-language') ?? '').split(',')[0].trim().slice(0, 2).toLowerCase();
  if (primary === 'ar' || primary === 'en') return primary;
  return (await getProfile(deps, c.get('customerId'))).language;
}

export function registerBankingNotifications(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(list, async (c) => {
    const customerId = c.get('customerId');
    const query = c.req.valid('query');
    const { rows, nextCursor } = await listNotificationRows(deps, customerId, query);
    const data = await localizedNotifications(deps, customerId, rows, await messageLanguage(c, deps, query.lang));
    return c.json({ data, nextCursor }, 200);
  });

  app.openapi(stream, async (c) => {
    const customerId = c.get('customerId');
    const sessionId = c.get('sessionId');
    const query = c.req.valid('query');
    const resumeFrom = c.req.header('last-event-id') ?? query.since;
    const lang = await messageLanguage(c, deps, query.lang);
    const anchor = resumeFrom ? await findOwnNotification(deps, customerId, resumeFrom) : undefined;
    // Without a known anchor the stream starts now; with one, everything after it is replayed.
    const replayer = new Replayer(deps, customerId, lang, anchor ? anchor.created_at : deps.clock.now());
    if (anchor) {
      const before = await notificationsSince(deps, customerId, anchor.created_at - COMMIT_SKEW_MS, 10_000);
      for (const row of before) if (row.id <= anchor.id) replayer.skip(row);
    } else {
      const recent = await notificationsSince(deps, customerId, deps.clock.now() - COMMIT_SKEW_MS, 10_000);
      for (const row of recent) replayer.skip(row);
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (out) => {
      // Wake-ups: a new notification for the customer, the heartbeat, or the client leaving.
      let pending = true;
      let beat = false;
      let wake: () => void = () => {};
      const unsubscribe = deps.events.subscribe(customerId, () => { pending = true; wake(); });
      const beatTimer = setInterval(() => { beat = true; wake(); }, HEARTBEAT_MS);
      out.onAbort(() => wake());
      try {
        await out.write(': connected\n\n');
        while (!out.aborted && !out.closed) {
          if (pending || beat) {
            // Every wake-up first checks the session: a revoke or logout publishes, so the stream ends at once.
            if (!(await isSessionLive(deps, sessionId))) break;
          }
          if (pending) { pending = false; await replayer.flush(out); continue; }
          if (beat) { beat = false; await out.write(': heartbeat\n\n'); continue; }
          await new Promise<void>((resolve) => { wake = resolve; });
        }
      } finally {
        clearInterval(beatTimer);
        unsubscribe();
      }
    }) as never;
  });
}
