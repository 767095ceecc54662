// Issue point 7 on the banking and admin routes of this issue: bad input is a clear 4xx problem,
// changes nothing, and is never a 500.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { ADMIN_KEY, Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  const routes = () => [
    { method: 'POST', path: '/v1/banking/cards', auth: `Bearer ${holder.token}` },
    { method: 'PUT', path: `/v1/banking/cards/${holder.card.id}/limit`, auth: `Bearer ${holder.token}` },
    { method: 'PUT', path: `/v1/banking/cards/${holder.card.id}/over-limit`, auth: `Bearer ${holder.token}` },
    { method: 'POST', path: `/v1/banking/cards/${holder.card.id}/reveal`, auth: `Bearer ${holder.token}` },
    { method: 'POST', path: '/v1/banking/sessions', auth: '' },
    { method: 'POST', path: '/v1/admin/customers', auth: `Bearer ${ADMIN_KEY}` },
  ];
  const send = (r: { method: string; path: string; auth: string }, raw: string, type = 'application/json') =>
    h.request(r.method, r.path, { raw, headers: { 'content-type': type, ...(r.auth ? { authorization: r.auth } : {}) } });

  describe('banking and admin routes', () => {
    it('malformed JSON is 400 invalid_json problem+json with errors', async () => {
      for (const r of routes()) {
        const res = await send(r, '{"limit":');
        expect(res.status, r.path).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.code).toBe('invalid_json');
        expect(res.body.errors).toEqual(expect.any(Array));
      }
    });

    it('a wrong content type is 415, a body over 64 KiB is 413', async () => {
      for (const r of routes()) {
        expect((await send(r, '{}', 'text/plain')).status, r.path).toBe(415);
        expect((await send(r, JSON.stringify({ x: 'y'.repeat(65 * 1024) }))).status, r.path).toBe(413);
      }
    });

    it('wrong types are 400 field errors naming the field', async () => {
      const [cards, limit, overLimit, reveal] = routes();
      const cases: Array<[typeof cards, unknown, string]> = [
        [cards, { limit: '100000' }, 'limit'], [cards, {}, 'limit'],
        [limit, { limit: null }, 'limit'], [limit, { limit: 200_000, otp: 123456 }, 'otp'],
        [overLimit, { enabled: 'yes' }, 'enabled'], [reveal, { otp: '12345' }, 'otp'],
      ];
      for (const [r, body, path] of cases) {
        const res = await send(r, JSON.stringify(body));
        expect(res.status, `${r.path} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      }
      const card = await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`);
      expect(card.body).toMatchObject({ limit: 100_000, overLimit: { enabled: true } });
    });

    it('random JSON never gets a 500 (fast-check)', async () => {
      await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.jsonValue(), async (i, value) => {
        const res = await send(routes()[i], JSON.stringify(value));
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
      }), { numRuns: 60 });
    });
  });
});
