import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../env.js';
import { bankingSession } from '../middleware/banking-session.js';
import { registerBankingCards } from './cards.js';
import { registerBankingMfa } from './mfa.js';
import { registerBankingSessions } from './sessions.js';

export function registerBankingRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const session = bankingSession(deps);
  // Everything but signing in needs a session.
  app.use('/v1/banking/*', async (c, next) => {
    if (c.req.method === 'POST' && c.req.path === '/v1/banking/sessions') return next();
    return session(c, next);
  });
  registerBankingSessions(app, deps);
  registerBankingMfa(app, deps);
  registerBankingCards(app, deps);
}
