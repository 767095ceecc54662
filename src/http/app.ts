// The app factory: every route of the three APIs, built from injected dependencies.
// Tests call createApp(deps).request(...) in-process; main.ts serves the same app over HTTP.
import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { requestId } from 'hono/request-id';
import { registerAdminRoutes } from './admin/index.js';
import { registerBankingRoutes } from './banking/index.js';
import type { AppDeps, AppEnv } from './env.js';
import { limitBodySize } from './middleware/body-limit.js';
import { csrfProtection } from './middleware/csrf.js';
import { requestLogger } from './middleware/request-logger.js';
import { secureResponseHeaders } from './middleware/secure-headers.js';
import { registerNetworkRoutes } from './network/index.js';
import { registerOpsRoutes } from './ops/index.js';
import { methodMatcher } from './method-not-allowed.js';
// The pages sit above the API: this is the one place that mounts them.
import {
  csrfRefusedPage, isRefusedPageForm, notFoundPage, registerStatementPage, registerWebRoutes,
} from '../web/index.js';
import { issuerUnavailableFor } from './network/unavailable.js';
import { errorToResponse, fieldErrors, problem, ValidationError } from './problem.js';
import { refuseUnstorableText } from './middleware/storable-text.js';

export const BODY_LIMIT_BYTES = 64 * 1024;
export const CLEARING_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(fieldErrors(result.error));
    },
  });

  app.use('*', requestId({ headerName: 'X-Request-Id', generator: () => crypto.randomUUID() }));
  app.use('*', async function echoRequestId(c, next) {
    await next();
    // Answers built as raw Responses (problem+json, not-found) miss the header hono set earlier.
    if (!c.res.headers.has('x-request-id')) c.res.headers.set('x-request-id', c.get('requestId'));
  });
  app.use('*', secureResponseHeaders());
  app.use('*', requestLogger(deps));
  const tooLarge = (c: Parameters<typeof problem>[0]) => problem(c, 413, 'payload_too_large', 'The body is larger than this endpoint accepts.');
  app.use('*', limitBodySize({
    maxSizeFor: (path) => (path === '/v1/network/clearings' ? CLEARING_BODY_LIMIT_BYTES : BODY_LIMIT_BYTES),
    onError: tooLarge,
  }));

  app.use('*', refuseUnstorableText());
  app.use('*', csrfProtection(deps));

  registerOpsRoutes(app, deps);
  registerNetworkRoutes(app, deps);
  registerBankingRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerStatementPage(app, deps);
  const firstWebRoute = app.routes.length;
  registerWebRoutes(app, deps);
  const webRoutes = app.routes.slice(firstWebRoute);
  const pageMethods = methodMatcher(() => webRoutes);
  /** A web page serves this method at this path (a CSRF refusal there gets an HTML page). */
  const isPage = (c: Parameters<typeof problem>[0]) => pageMethods(c.req.path).includes(c.req.method);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Online-banking session token' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', { type: 'http', scheme: 'bearer', description: 'Admin or staff key' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'networkSignature', {
    type: 'apiKey', in: 'header', name: 'X-Signature',
    description: 'hex HMAC-SHA256(secret, `${X-Timestamp}.${METHOD}.${path}.${rawBody}`), with X-Key-Id and X-Timestamp',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Internet Shopping Card', version: '1.0.0', description: 'Issuer API of an e-commerce-only virtual credit card: network, online banking and admin faces.' },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  const allowedMethods = methodMatcher(() => app.routes);
  // The path is echoed for the caller's sake, but never a card number someone put in it.
  app.notFound((c) => {
    const path = c.req.path.replace(/\d{12,}/g, '[redacted]').slice(0, 200);
    const allowed = allowedMethods(c.req.path);
    if (allowed.length && !allowed.includes(c.req.method)) {
      return problem(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${path}.`, { allowed }, { allow: allowed.join(', ') });
    }
    return notFoundPage(c, deps) ?? problem(c, 404, 'not_found', `No route for ${c.req.method} ${path}.`);
  });
  app.onError((error, c) => {
    if (isRefusedPageForm(error, c) && isPage(c)) return csrfRefusedPage(c, deps);
    const unavailable = issuerUnavailableFor(c.req.path, error);
    if (unavailable) {
      deps.logger.warn({ err: error, requestId: c.get('requestId') }, 'database unavailable: answered 91');
      return c.json(unavailable, 200);
    }
    const response = errorToResponse(error, c);
    if (response.status === 503) deps.logger.warn({ err: error, requestId: c.get('requestId') }, 'database unavailable');
    else if (response.status >= 500) deps.logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    return response;
  });
  return app;
}
