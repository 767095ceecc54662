// Cancel against concurrent authorizations (SPEC §2, §3): whatever the interleaving, on every
// backend, a closed card account owes nothing and holds nothing — an authorization that read the
// card before the cancel committed must not approve on the closed account.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
const h = useHarness(backend);

describe('cancel racing authorizations', () => {
  it('an authorization that saw the card before the cancel committed (card active, account closed) is 14', async () => {
    const holder = await h.cardholder();
    // The state such an authorization meets once it holds the account lock.
    await h.deps.handle.db.updateTable('card_accounts').set({ status: 'closed', closed_at: h.clock.now() })
      .where('id', '=', holder.card.accountId).execute();
    const res = await h.authorize(holder, { amount: 100 });
    expect(res.body).toMatchObject({ responseCode: '14', reason: 'invalid_card', approved: false });
    const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
    expect(account.held_fils).toBe(0);
  });

  it('property: a closed account has nothing outstanding, and every approval is on an open account', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 }), async (purchases, cancelAt) => {
      const holder = await h.cardholder();
      const otp = await h.otp(holder.totpSecret);
      const auths = Array.from({ length: purchases }, (_, i) => h.purchase(holder, { amount: 100 + i }));
      const calls: Array<Promise<{ status: number; body: any }>> = auths.map((body) => h.network('/v1/network/authorizations', body));
      calls.splice(Math.min(cancelAt, calls.length), 0,
        h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/cancel`, { otp }));
      const results = await Promise.all(calls);
      const cancel = results.find((r) => r.body?.status === 'cancelled' || r.body?.code === 'outstanding_balance')!;
      const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
      const approved = results.filter((r) => r.body?.approved === true).length;
      if (account.status === 'closed') {
        expect(cancel.status).toBe(200);
        expect(account.held_fils + account.posted_fils).toBe(0);
        const holds = await h.deps.handle.db.selectFrom('authorizations').select('id')
          .where('account_id', '=', account.id).where('approved', '=', 1).execute();
        expect(holds).toEqual([]);
        expect(approved).toBe(0);
      } else {
        expect(cancel.status).toBe(409);
        expect(cancel.body.code).toBe('outstanding_balance');
        expect(approved).toBeGreaterThan(0);
      }
    }), { numRuns: backend === 'postgres' ? 15 : 6 });
  });
});
});
