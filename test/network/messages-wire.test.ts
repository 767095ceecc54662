// Refunds, verifications, credential on file and the network's billing amount over real HTTP, as
// main.ts serves them: through the authorization fast path, group commit (SQLite) or the
// one-statement writes (PostgreSQL), and on SQLite also on the authorization worker thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, type Backend } from '../support/backends.js';
import { serverCardholder, signedPost, startTestServer, webPurchase, type TestServer } from '../support/server.js';

function suite(backend: Backend, options: { authorizationWorker?: boolean }) {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend, options); });
  afterAll(() => server.close());

  const authorize = (body: Record<string, unknown>) => signedPost(server, '/v1/network/authorizations', body);

  it('answers a refund, a verification and a credential-on-file purchase on the fast path, all at once', async () => {
    const holder = await serverCardholder(server, 100_000);
    const answeredBefore = server.fastPath.answered;
    const verification = await authorize({ ...webPurchase(holder, 0), merchantId: 'M-WIRE' });
    expect(verification.body).toMatchObject({ responseCode: '85', approved: false, reason: 'verified' });
    // Concurrent: they share a group commit on SQLite, the account lock on PostgreSQL.
    const [refund, onFile, foreign, cvvLess] = await Promise.all([
      authorize({ ...webPurchase(holder, 7_000), processingCode: '200000', cvv2: undefined }),
      authorize({ ...webPurchase(holder, 3_000), merchantId: 'M-WIRE', posEntryMode: '100', posConditionCode: '00', cvv2: undefined, initialTransactionId: verification.body.authorizationId }),
      authorize({ ...webPurchase(holder, 1_000), currency: '978', billingAmount: 2_000 }),
      authorize({ ...webPurchase(holder, 3_000), merchantId: 'M-ELSE', posEntryMode: '100', posConditionCode: '00', cvv2: undefined, initialTransactionId: verification.body.authorizationId }),
    ]);
    expect(refund.body).toMatchObject({ responseCode: '00', approved: true, reason: 'refund_approved', billingAmount: 7_000 });
    expect(refund.body.authCode).toMatch(/^[0-9A-Z]{6}$/);
    expect(onFile.body).toMatchObject({ responseCode: '00', reason: 'approved' });
    expect(foreign.body).toMatchObject({ responseCode: '00', billingAmount: 2_050 });
    expect(cvvLess.body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_required' });
    expect(server.fastPath.answered - answeredBefore).toBe(5);

    const db = server.deps.handle.db;
    const account = await db.selectFrom('card_accounts').selectAll().where('id', '=', holder.accountId).executeTakeFirstOrThrow();
    // Held: the credential-on-file purchase and the foreign one; neither the refund nor the verification.
    expect(Number(account.held_fils)).toBe(3_000 + 2_050);
    const rows = await db.selectFrom('authorizations').select(['id', 'status', 'hold_fils', 'network_billing_fils'])
      .where('account_id', '=', holder.accountId).execute();
    const byId = new Map(rows.map((r) => [r.id, { ...r, hold_fils: Number(r.hold_fils) }]));
    expect(byId.get(refund.body.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 0 });
    expect(byId.get(verification.body.authorizationId)).toMatchObject({ status: 'verified', hold_fils: 0 });
    expect(Number(byId.get(foreign.body.authorizationId)?.network_billing_fils)).toBe(2_000);

    const list = await fetch(`${server.url}/v1/banking/cards/${holder.card.id}/transactions`, { headers: { authorization: `Bearer ${holder.token}` } });
    const items = (await list.json() as { data: Array<{ id: string; type: string; status: string }> }).data;
    const item = (id: string) => items.find((i) => i.id === id);
    expect(item(refund.body.authorizationId)).toMatchObject({ type: 'refund', status: 'pending' });
    expect(item(verification.body.authorizationId)).toMatchObject({ type: 'authorization', status: 'verified' });
  });
}

forEachBackend((backend) => {
  describe('on the main thread', () => suite(backend, {}));
  // Registered on one backend only (the worker is SQLite's).
  if (backend === 'sqlite') describe('on the authorization worker thread', () => suite(backend, { authorizationWorker: true }));
});
