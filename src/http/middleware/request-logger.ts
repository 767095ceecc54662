// One structured line per request: method, path (never a query or body), status, duration, request
// id. Slow requests above the configured threshold are logged at warn.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from '../env.js';

export function requestLogger(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const slowMs = deps.config.slowRequestMs;
  return async function logRequest(c, next) {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const route = routePath(c, -1) || c.req.path;
    deps.metrics?.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, ms / 1000);
    const fields = { requestId: c.get('requestId'), method: c.req.method, route, status: c.res.status, ms: Math.round(ms * 10) / 10 };
    if (ms >= slowMs) deps.logger.warn({ ...fields, slow: true }, 'slow request');
    else deps.logger.debug(fields, 'request');
  };
}
