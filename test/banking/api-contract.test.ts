// The contract around every route: each registered API route is in /openapi.json, and every error
// of the three APIs (and of unknown routes) is problem+json with a stable code.
import { beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '../../src/http/openapi-common.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { expectMatchesRoute, expectMatchesSchema } from '../support/openapi.js';

/** The API surface: versioned routes and the ops endpoints. HTML pages (web) are not API. */
const isApiPath = (path: string) => path.startsWith('/v1/') || ['/healthz', '/readyz', '/metrics'].includes(path);

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Awaited<ReturnType<Harness['cardholder']>>;
beforeAll(async () => {
  holder = await h.cardholder();
});

function expectProblem(res: Awaited<ReturnType<Harness['request']>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expectMatchesSchema(res, ProblemSchema);
  expect(res.body).toMatchObject({ status, code });
  expect(res.body.type).toContain(code);
  expect(res.body.detail.length).toBeGreaterThan(0);
}

describe('OpenAPI document', () => {
  it('documents every registered API route with its method', async () => {
    const res = await h.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = h.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && isApiPath(r.path))
      .map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(registered.length).toBeGreaterThan(20);
    const missing = [...new Set(registered)].filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
  });

  it('serves interactive docs at /docs', async () => {
    const res = await h.request('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/openapi.json');
  });
});

describe('errors are problem+json with a stable code', () => {
  it('unknown route: 404 not_found; wrong method: 405 with Allow', async () => {
    expectProblem(await h.request('GET', '/no/such/route'), 404, 'not_found');
    const wrongMethod = await h.banking(holder.token, 'PATCH', `/v1/banking/cards/${holder.card.id}`);
    expectProblem(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    expectProblem(await h.admin('DELETE', '/v1/admin/customers'), 405, 'method_not_allowed');
    expectProblem(await h.banking(holder.token, 'GET', '/v1/banking/no-such-thing'), 404, 'not_found');
  });

  it('banking: 401 without a session, 400 field errors, invalid JSON, 415, 413, 404, 409', async () => {
    const noSession = await h.request('GET', '/v1/banking/cards');
    expectProblem(noSession, 401, 'unauthorized');
    expectMatchesRoute(h, 'GET', '/v1/banking/cards', noSession);
    const badToken = await h.banking('not-a-token', 'GET', '/v1/banking/cards');
    expectProblem(badToken, 401, 'unauthorized');

    const invalid = await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`, { limit: 'lots' });
    expectProblem(invalid, 400, 'validation_error');
    expect(invalid.body.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
    expectMatchesRoute(h, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`, invalid);

    const malformed = await h.request('POST', `/v1/banking/cards/${holder.card.id}/report`, {
      raw: '{"reason":', headers: { authorization: `Bearer ${holder.token}` },
    });
    expectProblem(malformed, 400, 'invalid_json');

    const wrongType = await h.request('POST', `/v1/banking/cards/${holder.card.id}/report`, {
      raw: 'reason=lost', headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(wrongType, 415, 'unsupported_media_type');

    const huge = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/report`, { reason: 'lost', pad: 'x'.repeat(70 * 1024) });
    expectProblem(huge, 413, 'payload_too_large');

    expectProblem(await h.banking(holder.token, 'GET', '/v1/banking/cards/card_0000000000000000000000'), 404, 'not_found');
    const exists = await h.banking(holder.token, 'POST', '/v1/banking/cards', { limit: 100_000 });
    expectProblem(exists, 409, 'card_exists');
    // Nothing of this changed the card.
    expect((await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body.status).toBe('active');
  });

  it('admin: 401 without or with a wrong key, 400, 404', async () => {
    expectProblem(await h.request('GET', '/v1/admin/products/internet-shopping'), 401, 'unauthorized');
    const wrongKey = await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, 'wrong-key');
    expect(wrongKey.status).toBe(401);
    expectMatchesSchema(wrongKey, ProblemSchema);
    const bad = await h.admin('POST', '/v1/admin/customers', { username: '' });
    expectProblem(bad, 400, 'validation_error');
    expectMatchesRoute(h, 'POST', '/v1/admin/customers', bad);
    expectProblem(await h.admin('GET', '/v1/admin/customers/cus_nope'), 404, 'not_found');
    const block = await h.admin('POST', '/v1/admin/cards/card_nope/block', { reason: 'x' });
    expectProblem(block, 404, 'not_found');
  });

  it('network: 401 on a bad signature, 400 with responseCode 30 when malformed', async () => {
    const unsigned = await h.request('POST', '/v1/network/authorizations', { body: h.purchase(holder) });
    expect(unsigned.status).toBe(401);
    expectMatchesSchema(unsigned, ProblemSchema);
    expect(unsigned.headers.get('content-type')).toContain('application/problem+json');
    const forged = await h.network('/v1/network/authorizations', h.purchase(holder), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBeTypeOf('string');
    const malformed = await h.network('/v1/network/authorizations', { ...h.purchase(holder), amount: 'ten' });
    expectProblem(malformed, 400, 'validation_error');
    expect(malformed.body).toMatchObject({ responseCode: '30', reason: 'format_error' });
    expectMatchesRoute(h, 'POST', '/v1/network/authorizations', malformed);
  });
});
});
