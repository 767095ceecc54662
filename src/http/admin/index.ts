import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../env.js';
import { adminAuth } from '../middleware/admin-auth.js';
import { adminAddressRateLimit, adminKeyRateLimit } from '../middleware/rate-limit.js';
import { registerAdminAudit } from './audit.js';
import { registerAdminCards } from './cards.js';
import { registerAdminCustomers } from './customers.js';
import { registerAdminFxRates } from './fx-rates.js';
import { registerAdminMoney } from './money.js';
import { registerAdminKeyRotation } from './key-rotation.js';
import { registerAdminNetworkClients } from './network-clients.js';
import { registerAdminProducts } from './products.js';
import { registerAdminReviews } from './reviews.js';
import { registerAdminStaffKeys } from './staff-keys.js';

export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.use('/v1/admin/*', adminAddressRateLimit(deps));
  app.use('/v1/admin/*', adminAuth(deps));
  app.use('/v1/admin/*', adminKeyRateLimit(deps));
  registerAdminCustomers(app, deps);
  registerAdminProducts(app, deps);
  registerAdminFxRates(app, deps);
  registerAdminCards(app, deps);
  registerAdminNetworkClients(app, deps);
  registerAdminStaffKeys(app, deps);
  registerAdminMoney(app, deps);
  registerAdminAudit(app, deps);
  registerAdminReviews(app, deps);
  registerAdminKeyRotation(app, deps);
}
