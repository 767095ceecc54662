import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../env.js';
import { networkSignature } from '../middleware/network-signature.js';
import { registerAdvices } from './advices.js';
import { registerAuthorizations } from './authorizations.js';
import { registerClearings } from './clearings.js';
import { registerReversals } from './reversals.js';
import { registerThreeDs } from './three-ds.js';

export function registerNetworkRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.use('/v1/network/*', networkSignature(deps));
  registerAuthorizations(app, deps);
  registerReversals(app, deps);
  registerAdvices(app, deps);
  registerThreeDs(app, deps);
  registerClearings(app, deps);
}
