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

/** h.admin, checked the same way. */
export async function adminChecked(h: Harness, method: string, path: string, body?: unknown) {
  const res = await h.admin(method, path, body);
  expectMatchesRoute(h, method, path, res);
  return res;
}
