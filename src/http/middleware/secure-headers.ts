// Secure response headers on every answer: hono's secure-headers with a strict
// Content-Security-Policy for the web pages, HSTS, no framing, no sniffing, no referrer leaks.
// API answers are never cached by browsers or proxies: they carry balances and card data.
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env.js';

export function secureResponseHeaders(): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Inline style attributes are harmless without inline script; pages may use them.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    strictTransportSecurity: 'max-age=63072000; includeSubDomains',
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form
    // posts and the CSRF origin check refuses them; other sites still get nothing.
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  });
  return async function setSecureHeaders(c, next) {
    await headers(c, next);
    if (c.req.path.startsWith('/v1/') && !c.res.headers.has('cache-control')) {
      c.res.headers.set('cache-control', 'no-store');
    }
  };
}
