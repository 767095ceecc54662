// SPEC §4: same acquirerId + stan + transmissionTime and same body → the original answer, nothing
// new; same key, different body → 94 duplicate_transmission, nothing stored.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  const PATH = '/v1/network/authorizations';
  async function snapshot() {
    const db = h.deps.handle.db;
    const n = async (table: 'authorizations' | 'ledger_transfers' | 'notifications' | 'audit_log') => (await h.countRows(table))[0];
    const account = await db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
    return { authorizations: await n('authorizations'), transfers: await n('ledger_transfers'),
      notifications: await n('notifications'), audit: await n('audit_log'), held: account.held_fils, overLimitUsed: account.over_limit_used };
  }

  describe('retransmissions', () => {
    it('same key, same body: the same answer, nothing new stored', async () => {
      const body = h.purchase(holder, { amount: 2_500 });
      const first = await h.network(PATH, body);
      expect(first.body).toMatchObject({ responseCode: '00', approved: true });
      const before = await snapshot();
      const again = await h.network(PATH, body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      // Key order and whitespace do not make it a different body: the fields and values are the same.
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 1);
      const third = await h.network(PATH, undefined, { raw: reordered });
      expect(third.body).toEqual(first.body);
      expect(await snapshot()).toEqual(before);
    });

    it('a retransmitted decline is the same decline, stored once', async () => {
      const body = h.purchase(holder, { amount: 2_500, mcc: '6011' });
      const first = await h.network(PATH, body);
      expect(first.body).toMatchObject({ responseCode: '57', reason: 'channel_atm_or_cash' });
      const before = await snapshot();
      expect((await h.network(PATH, body)).body).toEqual(first.body);
      expect(await snapshot()).toEqual(before);
    });

    it('a retransmitted over-limit approval does not use anything twice', async () => {
      const other = await h.cardholder(100_000);
      await h.authorize(other, { amount: 95_000 });
      const body = h.purchase(other, { amount: 10_000 });
      const first = await h.network(PATH, body);
      expect(first.body).toMatchObject({ responseCode: '00', overLimit: true });
      const second = await h.network(PATH, body);
      expect(second.body).toEqual(first.body);
      const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', other.card.accountId).executeTakeFirstOrThrow();
      expect(account.held_fils).toBe(105_000);
    });

    it.each<[string, Record<string, unknown>]>([
      ['a different amount', { amount: 2_501 }],
      ['a different merchant', { merchantName: 'Someone Else' }],
      ['a CVV2 left out', { cvv2: undefined }],
    ])('same key, %s: 94 duplicate_transmission with the original id, nothing stored', async (_name, change) => {
      const body = h.purchase(holder, { amount: 2_500 });
      const first = await h.network(PATH, body);
      expect(first.body.responseCode).toBe('00');
      const before = await snapshot();
      const dup = await h.network(PATH, { ...body, ...change });
      expect(dup.status).toBe(200);
      expect(dup.body).toMatchObject({ responseCode: '94', approved: false, reason: 'duplicate_transmission', authorizationId: first.body.authorizationId, overLimit: false });
      expect(dup.body.authCode).toBeUndefined();
      expect(await snapshot()).toEqual(before);
    });

    it('the time is compared as an instant, to the second: the same instant written differently is the same transmission', async () => {
      const body = h.purchase(holder, { amount: 1_000, transmissionTime: '2026-11-23T09:00:00Z' });
      const first = await h.network(PATH, body);
      const before = await snapshot();
      const same = await h.network(PATH, { ...body, transmissionTime: '2026-11-23T12:00:00.000+03:00' });
      expect(same.body).toEqual(first.body);
      expect(await snapshot()).toEqual(before);
      const other = await h.network(PATH, { ...body, transmissionTime: '2026-11-23T09:00:01Z' });
      expect(other.body.responseCode).toBe('00');
      expect(other.body.authorizationId).not.toBe(first.body.authorizationId);
    });

    it('a different acquirer with the same stan and time is another transmission', async () => {
      const body = h.purchase(holder, { amount: 1_000 });
      const first = await h.network(PATH, body);
      const other = await h.network(PATH, { ...body, acquirerId: '999999' });
      expect(other.body.authorizationId).not.toBe(first.body.authorizationId);
    });

    it('concurrent twins: both get the one answer, one authorization stored', async () => {
      const body = h.purchase(holder, { amount: 1_000 });
      const before = await snapshot();
      const [a, b] = await Promise.all([h.network(PATH, body), h.network(PATH, body)]);
      expect(a.body).toEqual(b.body);
      expect((await snapshot()).authorizations).toBe(before.authorizations + 1);
    });
  });
});
