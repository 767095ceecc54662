// The web face: online-banking pages, the demo shop and the terminal simulator. Server-rendered
// with hono/jsx; one small script, no build step. createApp registers all of it with one call.
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/env.js';
import { registerAssets } from './assets.js';
import { limitDemoPages } from './rate-limits.js';
import { registerCheckoutPages } from './demo/checkout.js';
import { registerShopPages } from './demo/shop.js';
import { registerTerminalPages } from './demo/terminals.js';
import { registerCardLifecyclePages } from './pages/card-lifecycle.js';
import { registerDashboardPage } from './pages/dashboard.js';
import { registerEnrolPage } from './pages/enrol.js';
import { registerLimitPage } from './pages/limit.js';
import { registerLoginCodePage } from './pages/login-code.js';
import { registerLoginPage } from './pages/login.js';
import { registerNotificationsPage } from './pages/notifications.js';
import { registerOverLimitPage } from './pages/over-limit.js';
import { registerRequestCardPage } from './pages/request-card.js';
import { registerStatementsPage } from './pages/statements.js';
import { registerTransactionsPage } from './pages/transactions.js';
import { registerPaymentsPage } from './pages/payments.js';
import { registerChallengesPage } from './pages/challenges.js';
import { registerRevealPage } from './pages/reveal.js';
import { registerSessionStay } from './pages/session-stay.js';

// What createApp mounts besides the pages: the printable statement (ahead of the pages, outside
// their method matching), and the pages' answers for an unknown path and an expired form.
export { registerStatementPage } from './pages/statement-print.js';
export { notFoundPage } from './pages/error.js';
export { csrfRefusedPage, isRefusedPageForm } from './pages/csrf-refused.js';

export function registerWebRoutes(app: Hono<AppEnv>, deps: AppDeps) {
  registerAssets(app);
  registerLoginPage(app, deps);
  registerLoginCodePage(app, deps);
  registerEnrolPage(app, deps);
  registerDashboardPage(app, deps);
  registerRequestCardPage(app, deps);
  registerRevealPage(app, deps);
  registerLimitPage(app, deps);
  registerOverLimitPage(app, deps);
  registerCardLifecyclePages(app, deps);
  registerTransactionsPage(app, deps);
  registerStatementsPage(app, deps);
  registerPaymentsPage(app, deps);
  registerChallengesPage(app, deps);
  registerNotificationsPage(app, deps);
  registerSessionStay(app, deps);
  // The demo shop and terminals exist in demo mode only (SPEC §6, §8): elsewhere /demo/* is 404.
  if (deps.config.demo) {
    app.use('/demo/*', limitDemoPages(deps));
    registerShopPages(app, deps);
    registerCheckoutPages(app, deps);
    registerTerminalPages(app, deps);
  }
}
