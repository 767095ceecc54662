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
// undecoded. A multipart form is checked as parsed, field by field: its parts are not
// percent-encoded ("%00" in one is text), but a part may be base64 (Content-Transfer-Encoding),
// which the parser decodes.
import type { HonoRequest, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { NO_UNPAIRED_SURROGATE, NUL_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from '../../domain/storable-text.js';
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
      if (/multipart\/form-data/i.test(type)) {
        // Parsed once: hono keeps the form for the route's own parseBody().
        const form = await formOrUndefined(c.req);
        for (const [key, value] of form ?? []) {
          if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) throw nul(key);
          if (!wellFormed(key) || (typeof value === 'string' && !wellFormed(value))) throw unpaired(key);
        }
        return next();
      }
      // Read once: hono keeps the text for the route's own json() or parseBody().
      const text = /json|x-www-form-urlencoded|text\//i.test(type) ? await c.req.text() : '';
      const json = /json/i.test(type);
      if (text.includes('\u0000') || (json ? JSON_NUL.test(text) : URL_NUL.test(text))) throw nul('(body)');
      if (json && SURROGATE_ESCAPE.test(text)) {
        const path = unpairedSurrogateIn(parsedOrUndefined(text));
        if (path !== undefined) throw unpaired(path);
      }
    }
    return next();
  };
}

function unpaired(path: string): ValidationError {
  return new ValidationError([{ path, message: UNPAIRED_SURROGATE_MESSAGE }]);
}

/** A form that does not parse is the route's to answer. */
async function formOrUndefined(req: HonoRequest): Promise<FormData | undefined> {
  try {
    return await req.formData();
  } catch {
    return undefined;
  }
}

function nul(path: string): ValidationError {
  return new ValidationError([{ path, message: NUL_MESSAGE }]);
}

/** Invalid JSON is the route's to answer (invalid_json). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const wellFormed = (s: string) => NO_UNPAIRED_SURROGATE.test(s);

/** A string, or an object's key, met in the walk; its place is built only when reported. */
interface Step { value: unknown; key?: string; parent?: Step; isKey?: boolean }

/**
 * The path of the first string (value or key, in document order) holding an unpaired surrogate,
 * as fieldErrors writes paths; undefined when none does. A walk with its own stack: a body may
 * nest as deep as its size allows (tens of thousands of levels in 64 KiB), past the call stack.
 */
function unpairedSurrogateIn(value: unknown): string | undefined {
  const stack: Step[] = [{ value }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if (step.isKey || typeof step.value === 'string') {
      if (!wellFormed(step.isKey ? step.key! : step.value as string)) return pathOf(step);
      continue;
    }
    if (step.value === null || typeof step.value !== 'object') continue;
    const entries = Object.entries(step.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i];
      stack.push({ value: inner, key, parent: step });
      stack.push({ value: undefined, key, parent: step, isKey: true });
    }
  }
  return undefined;
}

function pathOf(step: Step): string {
  const keys: string[] = [];
  for (let at: Step | undefined = step; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return keys.length ? keys.reverse().join('.') : '(body)';
}
