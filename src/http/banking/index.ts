import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../env.js';
import { bankingSession } from '../middleware/banking-session.js';
import { loginRateLimit, sensitiveBankingRateLimit } from '../middleware/rate-limit.js';
import { registerBankingCardLifecycle } from './card-lifecycle.js';
import { registerBankingCards } from './cards.js';
import { registerBankingMfa } from './mfa.js';
import { registerBankingMoney } from './money.js';
import { registerBankingNotifications } from './notifications.js';
import { registerBankingSessions } from './sessions.js';
import { registerBankingThreeDs } from './three-ds.js';
import { registerBankingTransactions } from './transactions.js';

export function registerBankingRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const session = bankingSession(deps);
  const loginLimit = loginRateLimit(deps);
  app.use('/v1/banking/sessions', async (c, next) => (c.req.method === 'POST' ? loginLimit(c, next) : next()));
  // Everything but signing in needs a session.
  app.use('/v1/banking/*', async (c, next) => {
    if (c.req.method === 'POST' && c.req.path === '/v1/banking/sessions') return next();
    return session(c, next);
  });
  app.use('/v1/banking/cards/:id/reveal', sensitiveBankingRateLimit(deps, 'reveal'));
  const challengeLimit = sensitiveBankingRateLimit(deps, 'challenge');
  app.use('/v1/banking/3ds/*', async (c, next) => (c.req.method === 'POST' ? challengeLimit(c, next) : next()));
  registerBankingSessions(app, deps);
  registerBankingMfa(app, deps);
  registerBankingCards(app, deps);
  registerBankingThreeDs(app, deps);
  registerBankingMoney(app, deps);
  registerBankingCardLifecycle(app, deps);
  registerBankingTransactions(app, deps);
  registerBankingNotifications(app, deps);
}
