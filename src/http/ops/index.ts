import type { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { withinMs } from '../../store/db-unavailable.js';
import { currentVersion, SCHEMA_VERSION } from '../../store/migrate.js';
import type { AppDeps, AppEnv } from '../env.js';
import { documentOpsRoutes } from './openapi.js';

/** How long /readyz waits for the database before answering 503. */
export const READY_CHECK_MS = 1000;

export function registerOpsRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  documentOpsRoutes(app);
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  app.get('/readyz', async (c) => {
    try {
      // Bounded: a load balancer's probe must hear "not ready" while the database fails over, not hang.
      const version = await withinMs(READY_CHECK_MS, sql`select 1`.execute(deps.handle.db).then(() => currentVersion(deps.handle)), 'readyz');
      if (version < SCHEMA_VERSION) return c.json({ status: 'migrations pending', version, expected: SCHEMA_VERSION }, 503);
      return c.json({ status: 'ready', database: deps.handle.dialect, schemaVersion: version }, 200);
    } catch {
      return c.json({ status: 'database unreachable' }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.text('', 200);
    return c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType });
  });
}
