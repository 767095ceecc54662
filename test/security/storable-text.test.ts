// Text no field can store is malformed: 400, never stored, never a 500 or a different text per
// backend. U+0000 (PostgreSQL's text cannot hold it; SQLite would store it) and an unpaired
// surrogate (PostgreSQL would store U+FFFD, SQLite the code unit). Routes outside the network API
// are refused by one check (http/middleware/storable-text.ts); the network API's schemas refuse
// both field by field (attack-audit-chain.test.ts).
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

  describe(`an unpaired surrogate in a request (${backend})`, () => {
    const MESSAGE = 'must not contain an unpaired surrogate';

    it('is a 400 naming the field, as a value or a key, high or low half; nothing stored', async () => {
      const before = await h.countRows('audit_log', 'customers', 'staff_keys');
      const answers = await Promise.all([
        h.admin('POST', '/v1/admin/customers', { username: `sur${Date.now()}`, password: 'correct horse battery', name: 'lone \ud800 high', currentAccountBalance: 1 }),
        h.admin('POST', '/v1/admin/keys', { name: 'lone \udc00 low', role: 'auditor' }),
        h.admin('POST', '/v1/admin/keys', { name: 'reversed \udc00\ud800 pair', role: 'auditor' }),
        h.request('POST', '/v1/banking/sessions', { body: { username: '\udbff', password: 'x' } }),
        h.admin('POST', '/v1/admin/keys', { name: 'ok', role: 'auditor', extra: { '\ud800': 1 } }),
      ]);
      const paths = ['name', 'name', 'name', 'username', 'extra.\ud800'];
      answers.forEach((res, i) => {
        expect(res.status, res.text).toBe(400);
        expect(res.body.errors).toEqual([{ path: paths[i], message: MESSAGE }]);
      });
      expect(await h.countRows('audit_log', 'customers', 'staff_keys')).toEqual(before);
    });

    it('takes a pair (an emoji) and a backslash followed by "ud800", and stores them as sent on either backend', async () => {
      const name = 'pair 💳 and back\\ud800slash';
      const res = await h.admin('POST', '/v1/admin/keys', { name, role: 'auditor' });
      expect(res.status, res.text).toBe(200);
      expect(res.body.name).toBe(name);
      const stored = await h.deps.handle.db.selectFrom('staff_keys').select('name').where('name', '=', name).execute();
      expect(stored).toEqual([{ name }]);
    });

    it('leaves JSON that does not parse to the route (invalid_json)', async () => {
      const res = await h.request('POST', '/v1/banking/sessions', { raw: '{"username": "\\ud800', headers: { 'content-type': 'application/json' } });
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe('invalid_json');
    });
  });
});
