// SPEC §5 payments: from the cardholder's current account, up to the posted balance owed,
// restoring available at once; Idempotency-Key honoured; 409 for insufficient funds and overpaying.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, cardView, clear, expectLedgerOk, recordFor, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
    const auth = await approvedPurchase(h, holder, { amount: 40_000 });
    await clear(h, [recordFor(auth.request, auth.authCode)]);
    await approvedPurchase(h, holder, { amount: 10_000 }); // an open hold: not payable yet
  });

  const pay = (body: unknown, headers: Record<string, string> = {}, who = holder) =>
    h.banking(who.token, 'POST', `/v1/banking/cards/${who.card.id}/payments`, body, headers);
  const currentBalance = async (id = holder.customer.currentAccountId) =>
    (await h.deps.handle.db.selectFrom('current_accounts').select('balance_fils').where('id', '=', id).executeTakeFirstOrThrow()).balance_fils;

  describe('payments', () => {
    it('debits the current account, reduces posted and restores available at once', async () => {
      const before = await cardView(h, holder);
      expect(before.outstanding).toBe(50_000);
      const res = await pay({ amount: 15_000, fromAccountId: holder.customer.currentAccountId });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ amount: 15_000, currency: 'KWD', cardId: holder.card.id, outstanding: 35_000, available: 65_000 });
      const after = await cardView(h, holder);
      expect(after.available).toBe(before.available + 15_000);
      expect(await currentBalance()).toBe(1_000_000 - 15_000);
      const row = await h.deps.handle.db.selectFrom('payments').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ amount_fils: 15_000, from_account_id: holder.customer.currentAccountId });
      const notes = await h.deps.handle.db.selectFrom('notifications').select('kind').where('customer_id', '=', holder.customer.id)
        .where('kind', '=', 'payment_posted').execute();
      expect(notes).toHaveLength(1);
      const audit = await h.deps.handle.db.selectFrom('audit_log').select('action').where('subject', '=', res.body.id).execute();
      expect(audit.map((a) => a.action)).toEqual(['payment.posted']);
      await expectLedgerOk(h);
    });

    it('same Idempotency-Key + same body → the same response and nothing new; a different body → 409', async () => {
      const body = { amount: 1_000, fromAccountId: holder.customer.currentAccountId };
      const first = await pay(body, { 'Idempotency-Key': 'pay-key-1' });
      expect(first.status).toBe(201);
      const balance = await currentBalance();
      const second = await pay(body, { 'Idempotency-Key': 'pay-key-1' });
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(await currentBalance()).toBe(balance);
      const conflict = await pay({ ...body, amount: 2_000 }, { 'Idempotency-Key': 'pay-key-1' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('idempotency_conflict');
      expect(conflict.headers.get('content-type')).toContain('application/problem+json');
      expect(await currentBalance()).toBe(balance);
      const count = await h.deps.handle.db.selectFrom('payments').select('id').where('account_id', '=', holder.card.accountId).execute();
      expect(count).toHaveLength(2);
    });

    it('concurrent requests with one Idempotency-Key pay once', async () => {
      const body = { amount: 500, fromAccountId: holder.customer.currentAccountId };
      const balance = await currentBalance();
      const results = await Promise.all([1, 2, 3].map(() => pay(body, { 'Idempotency-Key': 'pay-key-race' })));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await currentBalance()).toBe(balance - 500);
    });

    it('without fromAccountId the customer\'s current account pays', async () => {
      const balance = await currentBalance();
      const res = await pay({ amount: 100 });
      expect(res.status, res.text).toBe(201);
      expect(res.body.fromAccountId).toBe(holder.customer.currentAccountId);
      expect(await currentBalance()).toBe(balance - 100);
    });

    it('paying more than the posted balance owed → 409 overpayment (holds are not payable)', async () => {
      const { posted_fils } = await account(h, holder);
      const res = await pay({ amount: posted_fils + 1, fromAccountId: holder.customer.currentAccountId });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('overpayment');
    });

    it('insufficient funds in the current account → 409', async () => {
      const poor = await h.cardholder(100_000);
      await h.deps.handle.db.updateTable('current_accounts').set({ balance_fils: 0 }).where('id', '=', poor.customer.currentAccountId).execute();
      const auth = await approvedPurchase(h, poor, { amount: 5_000 });
      await clear(h, [recordFor(auth.request, auth.authCode)]);
      const res = await pay({ amount: 1_000, fromAccountId: poor.customer.currentAccountId }, {}, poor);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('insufficient_funds');
      const nothing = await h.cardholder(100_000);
      const none = await pay({ amount: 1, fromAccountId: nothing.customer.currentAccountId }, {}, nothing);
      expect(none.status).toBe(409);
    });

    it('owner-scoped: another customer\'s card or current account is 404; a bad amount is 400', async () => {
      const other = await h.cardholder(100_000);
      const theirCard = await h.banking(holder.token, 'POST', `/v1/banking/cards/${other.card.id}/payments`,
        { amount: 100, fromAccountId: holder.customer.currentAccountId });
      expect(theirCard.status).toBe(404);
      const theirAccount = await pay({ amount: 100, fromAccountId: other.customer.currentAccountId });
      expect(theirAccount.status).toBe(404);
      expect((await pay({ amount: 0, fromAccountId: holder.customer.currentAccountId })).status).toBe(400);
      expect((await pay({ amount: 1.5, fromAccountId: holder.customer.currentAccountId })).status).toBe(400);
      expect((await h.request('POST', `/v1/banking/cards/${holder.card.id}/payments`, { body: { amount: 1, fromAccountId: 'x' } })).status).toBe(401);
    });
  });
});
