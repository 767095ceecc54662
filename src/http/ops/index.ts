import type { OpenAPIHono } from '@hono/zod-openapi';
import { readiness } from '../../service/ops/readiness.js';
import type { AppDeps, AppEnv } from '../env.js';
import { documentOpsRoutes } from './openapi.js';

/** How long /readyz waits for the database before answering 503. */
export const READY_CHECK_MS = 1000;

export function registerOpsRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  documentOpsRoutes(app);
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  app.get('/readyz', async (c) => {
    try {
      const { database, version, expected } = await readiness(deps, READY_CHECK_MS);
      if (version < expected) return c.json({ status: 'migrations pending', version, expected }, 503);
      return c.json({ status: 'ready', database, schemaVersion: version }, 200);
    } catch {
      return c.json({ status: 'database unreachable' }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.text('', 200);
    return c.text(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType });
  });
}
