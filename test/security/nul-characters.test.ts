// U+0000 anywhere in a request is malformed: 400, never stored, never a 500 (PostgreSQL's text
// cannot hold it; SQLite would store it). Routes outside the network API are refused by one check
// (http/middleware/no-nul.ts); the network API's schemas refuse it field by field
// (attack-audit-chain.test.ts).
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  describe(`U+0000 in a request (${backend})`, () => {
    it('is a 400 in a body: a new customer, a login; nothing stored', async () => {
      const before = await h.countRows('audit_log');
      const customer = await h.admin('POST', '/v1/admin/customers', { username: 'nul\u0000user', password: 'correct horse battery', name: 'N', currentAccountBalance: 1 });
      const named = await h.admin('POST', '/v1/admin/customers', { username: `ok${Date.now()}`, password: 'correct horse battery', name: 'Na\u0000me', currentAccountBalance: 1 });
      const login = await h.request('POST', '/v1/banking/sessions', { body: { username: 'a\u0000', password: 'x' } });
      for (const res of [customer, named, login]) {
        expect(res.status, res.text).toBe(400);
        expect(res.body.errors).toEqual([{ path: '(body)', message: 'must not contain U+0000' }]);
      }
      expect(await h.countRows('audit_log')).toEqual(before);
    });

    it('is a 400 in the path and the query', async () => {
      const holder = await h.cardholder();
      const token = holder.token;
      for (const path of [`/v1/banking/cards/${holder.card.id}%00`, `/v1/banking/cards?x=%00`]) {
        const res = await h.banking(token, 'GET', path);
        expect(res.status, `${path}: ${res.text}`).toBe(400);
      }
    });

    it('lets through what only looks like it: a backslash followed by "u0000", and %2500', async () => {
      const username = `lit${Date.now()}`;
      const res = await h.admin('POST', '/v1/admin/customers', { username, password: 'correct horse battery', name: 'back\\u0000slash %2500', currentAccountBalance: 1 });
      expect(res.status, res.text).toBe(201);
    });
  });
});
