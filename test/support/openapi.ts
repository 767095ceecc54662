// Response-schema checks for tests: a body the tests see must match the zod schema the route
// declares for that status (the same schema that generates /openapi.json).
import type { RouteConfig } from '@hono/zod-openapi';
import { expect } from 'vitest';
import type { ZodType } from 'zod';
import type { Harness } from './harness.js';

export interface SeenResponse { status: number; headers: Headers; body: unknown; text: string }

/** Fails with the zod issues when the body does not match. */
export function expectMatchesSchema(res: Pick<SeenResponse, 'body'>, schema: ZodType): void {
  const result = schema.safeParse(res.body);
  expect(result.success ? [] : result.error.issues, JSON.stringify(res.body)).toEqual([]);
}

function pathPattern(path: string): RegExp {
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${source}$`);
}

/** The route definitions behind /openapi.json (zod schemas, not JSON Schema). */
export function routeDefinitions(h: Harness): RouteConfig[] {
  return h.app.openAPIRegistry.definitions
    .filter((d): d is Extract<typeof d, { type: 'route' }> => d.type === 'route')
    .map((d) => d.route);
}

/** Finds the route for method + concrete path, preferring literal segments over parameters. */
export function findRoute(h: Harness, method: string, path: string): RouteConfig {
  const bare = path.split('?')[0];
  const candidates = routeDefinitions(h)
    .filter((r) => r.method === method.toLowerCase() && pathPattern(r.path).test(bare))
    .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  if (!candidates.length) throw new Error(`no documented route for ${method} ${bare}`);
  return candidates[0];
}

/**
 * The body must match the schema the route documents for this status and content type
 * (problem+json for errors). An undocumented status fails: the document would be lying.
 */
export function expectMatchesRoute(h: Harness, method: string, path: string, res: SeenResponse): void {
  const route = findRoute(h, method, path);
  const documented = route.responses[res.status] as { content?: Record<string, { schema: ZodType }> } | undefined;
  expect(documented, `${method} ${route.path} does not document status ${res.status}`).toBeDefined();
  const content = documented!.content;
  if (!content) {
    expect(res.text, `${method} ${route.path} ${res.status} documents no body`).toBe('');
    return;
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0];
  expect(Object.keys(content), `${method} ${route.path} ${res.status} content type`).toContain(type);
  expectMatchesSchema(res, content[type].schema);
}

/** h.banking, then the response is checked against the route's documented schema. */
export async function bankingChecked(h: Harness, token: string, method: string, path: string, body?: unknown) {
  const res = await h.banking(token, method, path, body);
  expectMatchesRoute(h, method, path, res);
  return res;
}

/**
 * Every item of a cursor-paged banking list (`path` without query), `limit` per page, following
 * nextCursor to the end; each page must be 200 and as documented.
 */
export async function allPagesChecked<T = any>(h: Harness, token: string, path: string, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const res = await bankingChecked(h, token, 'GET', `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body as { data: T[]; nextCursor: string | null };
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** h.admin, checked the same way. */
export async function adminChecked(h: Harness, method: string, path: string, body?: unknown) {
  const res = await h.admin(method, path, body);
  expectMatchesRoute(h, method, path, res);
  return res;
}

type JsonSchema = Record<string, any>;

/**
 * A value that satisfies a JSON Schema from /openapi.json (required properties only), so a test
 * can call every documented route with a well-formed request. Examples win where given.
 */
export function sampleFromSchema(doc: JsonSchema, schema: JsonSchema | undefined): unknown {
  if (!schema) return undefined;
  if (schema.$ref) return sampleFromSchema(doc, doc.components.schemas[String(schema.$ref).split('/').pop()!]);
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choice = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (choice) return sampleFromSchema(doc, choice.find((s: JsonSchema) => s.type !== 'null') ?? choice[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sampleFromSchema(doc, schema.properties?.[key]);
      return out;
    }
    case 'array': return [];
    case 'integer': case 'number': return Math.max(schema.minimum ?? 1_000, schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1_000);
    case 'boolean': return false;
    case 'string': {
      const pattern = String(schema.pattern ?? '');
      if (pattern.includes('\\d{6}')) return '123456';
      if (/\\d\{4\}-\\d\{2\}|yyyy/i.test(pattern)) return '2026-11';
      return schema.minLength > 6 ? 'x'.repeat(schema.minLength) : 'sample';
    }
    default: return undefined;
  }
}

export interface DocumentedOperation { method: string; path: string; operation: JsonSchema }

/** Every operation of /openapi.json whose path starts with the prefix. */
export async function documentedOperations(h: Harness, prefix: string): Promise<DocumentedOperation[]> {
  const doc = (await h.request('GET', '/openapi.json')).body;
  const out: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>)) {
    if (!path.startsWith(prefix)) continue;
    for (const [method, operation] of Object.entries(item)) out.push({ method: method.toUpperCase(), path, operation });
  }
  return out;
}
