// SPEC §3: under any concurrency, on every backend, the over-limit allowance is used once. 50 over-limit
// authorizations on one account, sent at once over real HTTP to a running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { serverCardholder, signedPost, startTestServer, webPurchase, type TestServer } from '../support/server.js';

forEachBackend((backend) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend); });
  afterAll(() => server.close());

  describe('50 simultaneous over-limit authorizations', () => {
    it('approves exactly one; all others are declined 51', async () => {
      const holder = await serverCardholder(server, 100_000);
      const first = await signedPost(server, '/v1/network/authorizations', webPurchase(holder, 95_000));
      expect(first.body).toMatchObject({ responseCode: '00', overLimit: false });

      // Each fits in limit + margin (95 + 10 ≤ 120 KD) but not in the 5 KD left: only the exceed can approve it.
      const answers = await Promise.all(Array.from({ length: 50 }, () =>
        signedPost(server, '/v1/network/authorizations', webPurchase(holder, 10_000))));

      expect(answers.every((a) => a.status === 200)).toBe(true);
      const approved = answers.filter((a) => a.body.approved);
      expect(approved).toHaveLength(1);
      expect(approved[0].body).toMatchObject({ responseCode: '00', reason: 'approved_over_limit', overLimit: true });
      const declined = answers.filter((a) => !a.body.approved);
      expect(declined).toHaveLength(49);
      for (const d of declined) expect(d.body).toMatchObject({ responseCode: '51', reason: 'over_limit' });

      const account = await server.deps.handle.db.selectFrom('card_accounts').selectAll()
        .where('id', '=', holder.accountId).executeTakeFirstOrThrow();
      expect(account.held_fils).toBe(105_000);
      expect(account.over_limit_used).toBe(1);
      expect(account.over_limit_auth_id).toBe(approved[0].body.authorizationId);
      const stored = await server.deps.handle.db.selectFrom('authorizations').select(['approved'])
        .where('account_id', '=', holder.accountId).execute();
      expect(stored).toHaveLength(51);
      expect(stored.filter((r) => r.approved === 1)).toHaveLength(2);
    });
  });
});
