// One structured line per request: method, path (never a query or body), status, duration, request
// id. Slow requests above the configured threshold are logged at warn.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppDeps, AppEnv } from '../env.js';

export interface RequestRecord { requestId: string; method: string; route: string; status: number; ms: number }

/** The request's log line and latency metric (also used by the network fast path). */
export function recordRequest(deps: Pick<AppDeps, 'config' | 'logger' | 'metrics'>, r: RequestRecord): void {
  deps.metrics?.httpDuration.observe({ method: r.method, route: r.route, status: String(r.status) }, r.ms / 1000);
  const fields = { requestId: r.requestId, method: r.method, route: r.route, status: r.status, ms: Math.round(r.ms * 10) / 10 };
  if (r.ms >= deps.config.slowRequestMs) deps.logger.warn({ ...fields, slow: true }, 'slow request');
  else deps.logger.debug(fields, 'request');
}

export function requestLogger(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const started = performance.now();
    await next();
    recordRequest(deps, {
      requestId: c.get('requestId'), method: c.req.method, route: routePath(c, -1) || c.req.path,
      status: c.res.status, ms: performance.now() - started,
    });
  };
}
