// Text no field of this API can store is malformed (400) on every route:
// - U+0000. PostgreSQL's text cannot hold it, so a name, reason or id carrying one was stored on
//   SQLite and failed as a 500 on PostgreSQL.
// - An unpaired surrogate (JSON's "\ud800" with no low half after it, or a low half alone). UTF-8
//   cannot encode it: PostgreSQL stored U+FFFD in its place and SQLite the code unit itself, so the
//   two backends kept different text, and two names differing only there became one on PostgreSQL.
//   I-JSON (RFC 7493 §2.1) asks that such strings not be sent at all. A pair (an emoji) is one
//   character and is taken.
// The network API's schemas refuse both field by field (its hot path never reaches hono's body
// reading: network/schemas.ts); every other route is checked here, on the path, the query and the
// body as sent. A URL cannot carry a lone surrogate: percent-encoded, it is not UTF-8 and stays
// undecoded.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { ValidationError } from '../problem.js';

/** `\u0000` in JSON text, not preceded by an escaping backslash (`\\u0000` is a backslash and "u0000"). */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;
const URL_NUL = /%00/;
/** A surrogate escape in JSON text (escaped or not): the body is parsed and walked only then. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

export function refuseUnstorableText(): MiddlewareHandler<AppEnv> {
  return async function storableText(c, next) {
    if (c.req.path.startsWith('/v1/network/')) return next();
    const url = c.req.url;
    if (url.includes('\u0000') || URL_NUL.test(url)) throw nul('(url)');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const type = c.req.header('content-type') ?? '';
      // Read once: hono keeps the text for the route's own json() or parseBody().
      const text = /json|x-www-form-urlencoded|text\//i.test(type) ? await c.req.text() : '';
      const json = /json/i.test(type);
      if (text.includes('\u0000') || (json ? JSON_NUL.test(text) : URL_NUL.test(text))) throw nul('(body)');
      if (json && SURROGATE_ESCAPE.test(text)) {
        const path = unpairedSurrogateIn(parsedOrUndefined(text));
        if (path !== undefined) throw new ValidationError([{ path, message: 'must not contain an unpaired surrogate' }]);
      }
    }
    return next();
  };
}

function nul(path: string): ValidationError {
  return new ValidationError([{ path, message: 'must not contain U+0000' }]);
}

/** Invalid JSON is the route's to answer (invalid_json). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** The path of the first string (value or key) holding an unpaired surrogate, as fieldErrors writes paths; undefined when none does. */
function unpairedSurrogateIn(value: unknown, path: string[] = []): string | undefined {
  const at = (p: string[]) => (p.length ? p.join('.') : '(body)');
  if (typeof value === 'string') return wellFormed(value) ? undefined : at(path);
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!wellFormed(key)) return at([...path, key]);
    const found = unpairedSurrogateIn(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
