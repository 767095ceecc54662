// "Stay signed in" from the idle warning: any signed-in request slides the session's idle timeout
// (service/banking/sessions.ts); this one does only that.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { bankingPage } from '../web-context.js';

export function registerSessionStay(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/session/stay', bankingPage(deps, async (w) => w.c.body(null, 204)));
}
