// Arbitraries for the hostile-input suite: routes from /openapi.json, path parameters, bodies
// (valid examples mutated, random JSON, garbage), content types and headers.
import fc from 'fast-check';

export interface Route { method: string; path: string }

export function routesFromOpenApi(doc: { paths: Record<string, Record<string, unknown>> }, extra: Route[] = []): Route[] {
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
  for (const r of extra) if (!routes.some((x) => x.method === r.method && x.path === r.path)) routes.push(r);
  return routes;
}

const nasty = [
  '', ' ', '0', '-1', '1e309', 'null', 'undefined', 'NaN', '../../etc/passwd', '..%2f..%2fadmin', '%00', '%',
  "' OR 1=1 --", '"; drop table cards; --', '<script>alert(1)</script>', '${jndi:ldap://x}', '{{7*7}}',
  'x'.repeat(300), '٣٤٥', '💳', '\u202e', 'internet-shopping', 'KWD', '414', '2026-11', 'current',
];

export const jsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 999_999_999_999_999, '', ' ', ...nasty),
  fc.string({ maxLength: 40 }), fc.integer(), fc.double({ noNaN: false }),
  fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

export const paramValue = (valid: string[]) => fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...valid) },
  { weight: 2, arbitrary: fc.constantFrom(...nasty).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent) },
);

/** A valid-looking body mutated: fields dropped, retyped, nested, or extra fields added. */
export function mutated(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  const mutation = fc.record({
    drop: fc.subarray(keys, { maxLength: Math.min(2, keys.length) }),
    replace: fc.dictionary(keys.length ? fc.constantFrom(...keys) : fc.constant('x'), jsonValue, { maxKeys: 2 }),
    extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'admin', 'role', 'id', 'status', 'pan', 'limit'), jsonValue, { maxKeys: 2 }),
  });
  return mutation.map(({ drop, replace, extra }) => {
    const body: Record<string, unknown> = { ...valid, ...replace };
    for (const k of drop) delete body[k];
    return JSON.stringify({ ...body, ...extra });
  });
}

export const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"a":', '[]', '""', 'null', '{"__proto__":{"admin":true}}', '\u0000', '{"a":1}{"b":2}'),
  fc.json({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.constant(JSON.stringify({ deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) })),
);

export const contentType = fc.constantFrom(
  'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/xml', '', 'application/json; charset=utf-16',
);

const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}$/);
export const extraHeaders = fc.dictionary(
  fc.constantFrom('x-forwarded-for', 'x-real-ip', 'origin', 'sec-fetch-site', 'accept', 'x-request-id', 'idempotency-key', 'cookie', 'x-http-method-override', 'accept-language', 'x-key-id', 'x-timestamp'),
  headerValue, { maxKeys: 3 },
);

export const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');
