// U+0000 in a request is malformed (400) on every route. PostgreSQL's text cannot hold it, so a
// name, reason or id carrying one was stored on SQLite and failed as a 500 on PostgreSQL; no field
// of this API has a use for it. The network API's schemas refuse it field by field (its hot path
// never reaches hono's body reading: network/schemas.ts); every other route is checked here, on
// the path, the query and the body as sent.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { ValidationError } from '../problem.js';

/** `\u0000` in JSON text, not preceded by an escaping backslash (`\\u0000` is a backslash and "u0000"). */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;
const URL_NUL = /%00/;

export function refuseNul(): MiddlewareHandler<AppEnv> {
  return async function noNul(c, next) {
    if (c.req.path.startsWith('/v1/network/')) return next();
    const url = c.req.url;
    if (url.includes('\u0000') || URL_NUL.test(url)) throw nul('(url)');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const type = c.req.header('content-type') ?? '';
      // Read once: hono keeps the text for the route's own json() or parseBody().
      const text = /json|x-www-form-urlencoded|text\//i.test(type) ? await c.req.text() : '';
      if (text.includes('\u0000') || (/json/i.test(type) ? JSON_NUL.test(text) : URL_NUL.test(text))) throw nul('(body)');
    }
    return next();
  };
}

function nul(path: string): ValidationError {
  return new ValidationError([{ path, message: 'must not contain U+0000' }]);
}
