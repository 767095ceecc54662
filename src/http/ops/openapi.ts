// The ops endpoints are plain hono routes (text and 503 bodies); they are documented here so
// /openapi.json covers every route of the service.
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';

const Status = z.object({ status: z.string() }).catchall(z.unknown()).openapi('OpsStatus');

export function documentOpsRoutes(app: OpenAPIHono<AppEnv>) {
  const json = (description: string) => ({ description, content: { 'application/json': { schema: Status } } });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/healthz', tags: ['ops'], summary: 'Liveness: the process answers',
    responses: { 200: json('Alive') },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/readyz', tags: ['ops'], summary: 'Readiness: database reachable and migrated',
    responses: { 200: json('Ready'), 503: json('Not ready (database unreachable or migrations pending)') },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/metrics', tags: ['ops'], summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  });
}
