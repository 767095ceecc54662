// Authorizations racing on one account, through the real app and real connections: twins of one
// request store one decision and get one answer; limits and the over-limit allowance hold under any
// interleaving (on PostgreSQL through the account row lock, on SQLite through its single writer).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { NETWORK_KEY_ID } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { accountLedger } from '../support/ledger-check.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const accountOf = async (cardId: string) =>
    (await h.deps.handle.db.selectFrom('cards').select('account_id').where('id', '=', cardId).executeTakeFirstOrThrow()).account_id;

  describe('identical authorizations at the same moment (idempotency race)', () => {
    it('store one decision and one hold, and every twin gets the same answer', async () => {
      const holder = await h.cardholder(100_000);
      const body = h.purchase(holder, { amount: 25_000 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => h.network('/v1/network/authorizations', body)));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
      expect(answers[0].body).toMatchObject({ responseCode: '00', approved: true });
      for (const a of answers) expect(a.body).toEqual(answers[0].body);
      const rows = await h.deps.handle.db.selectFrom('authorizations').select('id')
        .where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, body)).execute();
      expect(rows).toEqual([{ id: answers[0].body.authorizationId }]);
      const ledger = await accountLedger(h.deps.handle, await accountOf(holder.card.id));
      expect(ledger).toMatchObject({ heldFils: 25_000, openPendingFils: 25_000 });
    });

    it('with different bodies under one key: one stored decision, the other answered 94', async () => {
      const holder = await h.cardholder(100_000);
      const body = h.purchase(holder, { amount: 10_000 });
      const [a, b] = await Promise.all([
        h.network('/v1/network/authorizations', body),
        h.network('/v1/network/authorizations', { ...body, amount: 20_000 }),
      ]);
      const answers = [a.body, b.body].sort((x, y) => x.responseCode.localeCompare(y.responseCode));
      expect(answers[0]).toMatchObject({ responseCode: '00', approved: true });
      expect(answers[1]).toMatchObject({ responseCode: '94', reason: 'duplicate_transmission', authorizationId: answers[0].authorizationId });
      const ledger = await accountLedger(h.deps.handle, await accountOf(holder.card.id));
      expect(ledger.heldFils).toBe(answers[0].billingAmount);
      expect(ledger.openPendingFils).toBe(ledger.heldFils);
    });
  });

  describe('concurrent purchases on one account', () => {
    it('never pass limit + margin, use the over-limit allowance at most once, and keep the ledger whole', async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(fc.integer({ min: 1_000, max: 115_000 }), { minLength: 2, maxLength: 16 }),
        async (amounts) => {
          const holder = await h.cardholder(100_000);
          const answers = await Promise.all(amounts.map((amount) => h.authorize(holder, { amount })));
          const approved = answers.filter((a) => a.body.approved);
          const approvedFils = approved.reduce((sum, a) => sum + a.body.billingAmount, 0);
          expect(approvedFils).toBeLessThanOrEqual(120_000); // limit + 20 % margin
          expect(approved.filter((a) => a.body.overLimit).length).toBeLessThanOrEqual(1);
          for (const a of answers) expect(['00', '51']).toContain(a.body.responseCode);
          const ledger = await accountLedger(h.deps.handle, await accountOf(holder.card.id));
          expect(ledger.heldFils).toBe(approvedFils);
          expect(ledger.openPendingFils).toBe(approvedFils);
          expect(ledger.debitsFils).toBe(ledger.creditsFils);
          expect(typeof ledger.debitsFils).toBe('number');
        },
      ), { numRuns: 5 });
    });
  });
});
