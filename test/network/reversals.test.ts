// SPEC §5 reversals as issue 3 has them: full and partial, by authorizationId or acquirerId + rrn,
// retransmissions harmless, unknown originals 25; every movement a ledger transfer.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
  });

  const reverse = (body: Record<string, unknown>) => h.network('/v1/network/reversals', {
    stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(), ...body,
  });
  const account = () => h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
  const auth = (id: string) => h.deps.handle.db.selectFrom('authorizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const transfers = (id: string) => h.deps.handle.db.selectFrom('ledger_transfers').selectAll()
    .where('reference', 'in', [`authorization:${id}`, `reversal:${id}`]).orderBy('created_at').orderBy('id').execute();

  describe('reversals', () => {
    it('a full reversal voids the pending transfer and releases the hold', async () => {
      const before = (await account()).held_fils;
      const a = await h.authorize(holder, { amount: 7_000 });
      expect((await account()).held_fils).toBe(before + 7_000);
      const [pending] = await transfers(a.body.authorizationId);   // only one so far
      expect(pending).toMatchObject({ kind: 'pending', amount_fils: 7_000, debit_account: `card:${holder.card.accountId}` });

      const res = await reverse({ authorizationId: a.body.authorizationId });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ responseCode: '00', approved: true, authorizationId: a.body.authorizationId, reversedAmount: 7_000 });
      expect((await account()).held_fils).toBe(before);
      expect(await auth(a.body.authorizationId)).toMatchObject({ status: 'reversed', hold_fils: 0, hold_transfer_id: null });
      const moves = await transfers(a.body.authorizationId);
      expect(moves.map((t) => t.kind).sort()).toEqual(['pending', 'void_pending']);
      expect(moves.find((t) => t.kind === 'void_pending')).toMatchObject({ pending_id: pending.id, amount_fils: 7_000 });
    });

    it('a partial reversal shrinks the hold to the replacement amount; the same amount again changes nothing', async () => {
      const a = await h.authorize(holder, { amount: 10_000 });
      const res = await reverse({ authorizationId: a.body.authorizationId, replacementAmount: 4_000 });
      expect(res.body).toMatchObject({ responseCode: '00', reversedAmount: 6_000 });
      expect(await auth(a.body.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 4_000 });
      const again = await reverse({ authorizationId: a.body.authorizationId, replacementAmount: 4_000 });
      expect(again.body).toMatchObject({ responseCode: '00', reversedAmount: 0 });
      const more = await reverse({ authorizationId: a.body.authorizationId, replacementAmount: 9_000 });
      expect(more.body.reversedAmount).toBe(0);
      expect((await auth(a.body.authorizationId)).hold_fils).toBe(4_000);
      // Transfers are immutable: the 10 KD hold is voided and a 4 KD one takes its place.
      const moves = await transfers(a.body.authorizationId);
      expect(moves.map((t) => `${t.kind} ${t.amount_fils}`).sort()).toEqual(['pending 10000', 'pending 4000', 'void_pending 10000']);
      const first = moves.find((t) => t.kind === 'pending' && t.amount_fils === 10_000)!;
      expect(moves.find((t) => t.kind === 'void_pending')!.pending_id).toBe(first.id);
      expect((await auth(a.body.authorizationId)).hold_transfer_id).toBe(moves.find((t) => t.amount_fils === 4_000)!.id);
    });

    it('a foreign-currency hold shrinks at the authorization rate; reversedAmount is in fils', async () => {
      expect((await h.admin('PUT', '/v1/admin/fx-rates/USD', { rate: '0.305' })).status).toBe(200);
      const a = await h.authorize(holder, { amount: 1_000, currency: '840' });   // 10.00 USD
      expect(a.body).toMatchObject({ responseCode: '00', billingAmount: 3_126 });
      const res = await reverse({ authorizationId: a.body.authorizationId, replacementAmount: 500 });
      expect(res.body).toMatchObject({ responseCode: '00', reversedAmount: 1_563 });
      expect((await auth(a.body.authorizationId)).hold_fils).toBe(1_563);
    });

    it('by acquirerId + rrn, preferring the approved attempt over a declined one with the same rrn', async () => {
      const rrn = '7000000000AB';
      const declined = await h.authorize(holder, { amount: 5_000, rrn, cvv2: '000' === holder.cvv2 ? '001' : '000' });
      expect(declined.body.responseCode).toBe('N7');
      const approved = await h.authorize(holder, { amount: 5_000, rrn });
      expect(approved.body.responseCode).toBe('00');
      const res = await reverse({ acquirerId: '412345', rrn });
      expect(res.body).toMatchObject({ responseCode: '00', authorizationId: approved.body.authorizationId, reversedAmount: 5_000 });
    });

    it('reversing a declined or already reversed authorization answers 00 with reversedAmount 0', async () => {
      const declined = await h.authorize(holder, { mcc: '6011' });
      const res = await reverse({ authorizationId: declined.body.authorizationId });
      expect(res.body).toMatchObject({ responseCode: '00', reversedAmount: 0 });
      const a = await h.authorize(holder, { amount: 1_000 });
      await reverse({ authorizationId: a.body.authorizationId });
      const before = await account();
      const twice = await reverse({ authorizationId: a.body.authorizationId });
      expect(twice.body).toMatchObject({ responseCode: '00', reversedAmount: 0 });
      expect(await account()).toEqual(before);
    });

    it('an unknown original is 25, HTTP 200, nothing stored', async () => {
      const count = async () => Number((await h.deps.handle.db.selectFrom('reversals').select(h.deps.handle.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const byId = await reverse({ authorizationId: 'auth_unknown' });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ responseCode: '25', approved: false, reversedAmount: 0 });
      const byRrn = await reverse({ acquirerId: '412345', rrn: 'ZZZZZZZZZZZZ' });
      expect(byRrn.body.responseCode).toBe('25');
      expect(await count()).toBe(before);
    });
  });
});
