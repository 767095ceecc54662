// Refund authorizations (processing code 20, SPEC §4): the merchant announces a refund. Only the
// 14, channel and 13 rows decide; the answer is 00 refund_approved with an auth code, no hold;
// the cardholder sees a pending refund, posted by its clearing or expired after the hold lifetime.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, authorization, cardView, clear, expectLedgerOk, recordFor, setRate, type Holder } from '../support/money.js';
import { startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const REFUND = { processingCode: '200000', cvv2: undefined, merchantId: 'M-REFUND', merchantName: 'Refund Books' };
  const refund = (holder: Holder, overrides: Record<string, unknown> = {}) => {
    const request = h.purchase(holder, { ...REFUND, ...overrides });
    return h.network('/v1/network/authorizations', request).then((res) => ({ ...res, request }));
  };
  const transactions = async (holder: Holder) =>
    (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}/transactions`)).body.data as Array<Record<string, any>>;

  describe('an approved refund authorization', () => {
    it('is 00 refund_approved with an auth code, holds nothing, and shows as a pending refund', async () => {
      const holder = await h.cardholder(100_000);
      await h.authorize(holder, { amount: 30_000 });
      const before = await cardView(h, holder);
      const transfersBefore = (await h.countRows('ledger_transfers'))[0];

      const res = await refund(holder, { amount: 12_000 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ responseCode: '00', approved: true, reason: 'refund_approved', billingAmount: 12_000, billingCurrency: '414', overLimit: false });
      expect(res.body.authCode).toMatch(/^[0-9A-Z]{6}$/);
      expect(await cardView(h, holder)).toMatchObject({ available: before.available, outstanding: before.outstanding });
      expect((await h.countRows('ledger_transfers'))[0]).toBe(transfersBefore);
      const row = await authorization(h, res.body.authorizationId);
      expect(row).toMatchObject({ status: 'pending', approved: 1, rule_id: 'refund_approved', hold_fils: 0, hold_transfer_id: null });
      expect(Number(row.expires_at)).toBe(h.clock.now() + 7 * 86_400_000);

      const [item] = await transactions(holder);
      expect(item).toMatchObject({ id: res.body.authorizationId, type: 'refund', status: 'pending', amount: 12_000, billingAmount: 12_000,
        merchantName: 'Refund Books', responseCode: '00', reason: 'refund_approved', description: 'Refund on its way from the merchant' });
      // Announced, not yet money: no purchase notification; the clearing tells the cardholder.
      const notes = (await h.banking(holder.token, 'GET', '/v1/banking/notifications')).body.data as Array<{ message: string }>;
      expect(notes.map((n) => n.message).join(' ')).not.toContain('Refund Books');
      // A retransmission is answered the same, and creates nothing.
      const again = await h.network('/v1/network/authorizations', res.request);
      expect(again.body).toEqual(res.body);
    });

    it('needs no CVV2, and reaches frozen, blocked, lost, stolen, expired and wrong-expiry cards', async () => {
      const cases: Array<[string, (holder: Holder) => Promise<unknown>, Record<string, unknown>]> = [
        ['frozen', (x) => h.banking(x.token, 'POST', `/v1/banking/cards/${x.card.id}/freeze`), {}],
        ['blocked', (x) => h.admin('POST', `/v1/admin/cards/${x.card.id}/block`, { reason: 'fraud review' }), {}],
        ['lost', (x) => h.banking(x.token, 'POST', `/v1/banking/cards/${x.card.id}/report`, { reason: 'lost' }), {}],
        ['stolen', (x) => h.banking(x.token, 'POST', `/v1/banking/cards/${x.card.id}/report`, { reason: 'stolen' }), {}],
        ['expired', (x) => h.deps.handle.db.updateTable('cards').set({ status: 'expired' }).where('id', '=', x.card.id).execute(), {}],
        ['active, wrong expiry and a wrong CVV2', async () => undefined, { expiry: '2001', cvv2: '000' }],
      ];
      for (const [status, make, overrides] of cases) {
        const holder = await h.cardholder(100_000);
        await make(holder);
        const res = await refund(holder, { amount: 1_500, ...overrides });
        expect({ status, ...res.body }).toMatchObject({ status, responseCode: '00', reason: 'refund_approved' });
        // The same card refuses a purchase (or a wrong CVV2) as ever.
        expect((await h.authorize(holder, { amount: 1_500, ...overrides })).body.approved).toBe(false);
      }
    });

    it('reaches the account through a replaced card while the account is open; a cancelled account is 14', async () => {
      const holder = await h.cardholder(100_000);
      const replaced = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/replace`, { otp: await h.otp(holder.totpSecret) });
      expect(replaced.status).toBe(201);
      expect((await refund(holder, { amount: 2_000 })).body).toMatchObject({ responseCode: '00', reason: 'refund_approved' });
      expect((await h.authorize(holder, { amount: 2_000 })).body).toMatchObject({ responseCode: '14', reason: 'invalid_card' });

      const gone = await h.cardholder(100_000);
      const cancelled = await h.banking(gone.token, 'POST', `/v1/banking/cards/${gone.card.id}/cancel`, { otp: await h.otp(gone.totpSecret) });
      expect(cancelled.status).toBe(200);
      expect((await refund(gone, { amount: 2_000 })).body).toMatchObject({ responseCode: '14', reason: 'invalid_card', approved: false });
      expect((await refund({ ...gone, pan: '4657810000000018' }, { amount: 2_000 })).body).toMatchObject({ responseCode: '14' });
    });

    it('is refused by the channel rows and by amount 0 (13)', async () => {
      const holder = await h.cardholder(100_000);
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ posEntryMode: '051', terminalType: 'pos' }, '57', 'channel_card_present'],
        [{ posEntryMode: '071' }, '57', 'channel_card_present'],
        [{ pinPresent: true }, '57', 'channel_card_present'],
        [{ mcc: '6011' }, '57', 'channel_atm_or_cash'],
        [{ posEntryMode: '011', posConditionCode: '00' }, '57', 'channel_not_ecommerce'],
        [{ amount: 0 }, '13', 'invalid_amount'],
      ];
      for (const [overrides, code, reason] of cases) {
        const res = await refund(holder, { amount: 1_000, ...overrides });
        expect({ overrides, ...res.body }).toMatchObject({ overrides, responseCode: code, reason, approved: false });
        expect(res.body.authCode).toBeUndefined();
      }
      // A card-present refund raises the cardholder's security alert, as any shop attempt does.
      const notes = (await h.banking(holder.token, 'GET', '/v1/banking/notifications')).body.data as Array<{ kind: string }>;
      expect(notes.filter((n) => n.kind === 'blocked_attempt').length).toBe(4);
    });

    it('in a currency without a rate is still approved, its billing amount unknown; with a rate it is converted', async () => {
      const holder = await h.cardholder(100_000);
      const noRate = await refund(holder, { amount: 1_000, currency: '392' });
      expect(noRate.body).toMatchObject({ responseCode: '00', reason: 'refund_approved' });
      expect(noRate.body.billingAmount).toBeUndefined();
      await setRate(h, '840', '0.3');
      expect((await refund(holder, { amount: 1_000, currency: '840' })).body).toMatchObject({ responseCode: '00', billingAmount: 3_075 });
    });
  });

  describe('its clearing, or its expiry', () => {
    it('a refund clearing with its acquirerId + rrn posts it: the authorization is posted, the account credited', async () => {
      const holder = await h.cardholder(100_000);
      await h.authorize(holder, { amount: 40_000 });
      const res = await refund(holder, { amount: 10_000 });
      const before = await cardView(h, holder);
      const [posted] = await clear(h, [recordFor(res.request, res.body.authCode, { processingCode: '200000' })]);
      expect(posted.status).toBe('posted');
      expect(await cardView(h, holder)).toMatchObject({ outstanding: before.outstanding - 10_000, available: before.available + 10_000 });
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'cleared' });
      const clearingRow = await h.deps.handle.db.selectFrom('clearings').selectAll().where('id', '=', posted.transactionId!).executeTakeFirstOrThrow();
      expect(clearingRow.authorization_id).toBe(res.body.authorizationId);
      const items = await transactions(holder);
      expect(items.find((i) => i.id === res.body.authorizationId)).toMatchObject({ type: 'refund', status: 'posted' });
      expect(items.find((i) => i.id === posted.transactionId)).toMatchObject({ type: 'refund', status: 'posted' });
      // A purchase clearing with the refund's rrn does not settle the refund authorization.
      const [sale] = await clear(h, [{ ...recordFor(res.request, undefined), pan: holder.pan }]);
      expect(sale.status).toBe('posted_unmatched');
      await expectLedgerOk(h);
    });

    it('a refund clearing is flagged for review when originalRrn is absent or names no purchase of the account from that acquirer', async () => {
      const holder = await h.cardholder(100_000);
      const other = await h.cardholder(100_000);
      const purchase = h.purchase(holder, { amount: 30_000 });
      expect((await h.network('/v1/network/authorizations', purchase)).body.approved).toBe(true);
      const theirs = h.purchase(other, { amount: 5_000 });
      expect((await h.network('/v1/network/authorizations', theirs)).body.approved).toBe(true);
      const refundOf = (originalRrn: string | undefined, rrn: string) => ({
        pan: holder.pan, rrn, acquirerId: purchase.acquirerId, amount: 1_000, currency: '414', processingCode: '200000',
        mcc: purchase.mcc, merchantName: purchase.merchantName, ...(originalRrn ? { originalRrn } : {}),
      });
      const [named, absent, unknown, foreign] = await clear(h, [
        refundOf(purchase.rrn, 'RF0000000001'), refundOf(undefined, 'RF0000000002'),
        refundOf('NOSUCHRRN001', 'RF0000000003'), refundOf(theirs.rrn, 'RF0000000004'),
      ]);
      expect([named, absent, unknown, foreign].map((r) => [r.status, r.needsReview ?? false]))
        .toEqual([['posted', false], ['posted', true], ['posted', true], ['posted', true]]);
      const flagged = await h.admin('GET', '/v1/admin/reviews');
      const ids = (flagged.body.data as Array<{ id: string }>).map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining([absent.transactionId, unknown.transactionId, foreign.transactionId]));
      expect(ids).not.toContain(named.transactionId);
      await expectLedgerOk(h);
    });

    it('a refund authorization never cleared is expired after the hold lifetime; available never moved', async () => {
      const holder = await h.cardholder(100_000);
      const res = await refund(holder, { amount: 5_000 });
      const before = await account(h, holder);
      h.clock.advance(7 * 86_400_000 - 1);
      expect((await h.admin('POST', '/v1/admin/jobs/expire-holds', {})).status).toBe(200);
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'pending' });
      h.clock.advance(1);
      expect((await h.admin('POST', '/v1/admin/jobs/expire-holds', {})).status).toBe(200);
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'expired', hold_fils: 0 });
      const after = await account(h, holder);
      expect({ held: Number(after.held_fils), posted: Number(after.posted_fils) }).toEqual({ held: Number(before.held_fils), posted: Number(before.posted_fils) });
      // A week on, the session has run out: sign in again.
      const token = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
      expect((await transactions({ ...holder, token }))[0]).toMatchObject({ id: res.body.authorizationId, type: 'refund', status: 'expired' });
      // Idempotent: a second run changes nothing.
      expect((await h.admin('POST', '/v1/admin/jobs/expire-holds', {})).status).toBe(200);
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'expired' });
      await expectLedgerOk(h);
    });
  });

  describe('what a refund does not do', () => {
    it('does not reset the card-testing count: 2 wrong CVV2s, a refund, 3 wrong CVV2s freeze the card', async () => {
      const holder = await h.cardholder(100_000);
      for (let i = 0; i < 2; i++) expect((await h.authorize(holder, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
      expect((await refund(holder, { amount: 1_000 })).body.reason).toBe('refund_approved');
      for (let i = 0; i < 3; i++) expect((await h.authorize(holder, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
      const card = (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body;
      expect(card.status).toBe('frozen');
    });

    it('does not make its merchant known: no credential on file, no frictionless 3-D Secure', async () => {
      const holder = await h.cardholder(100_000);
      const res = await refund(holder, { amount: 1_000 });
      const cof = await h.authorize(holder, { amount: 1_000, posEntryMode: '100', posConditionCode: '00', cvv2: undefined,
        merchantId: REFUND.merchantId, initialTransactionId: res.body.authorizationId });
      expect(cof.body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_required' });
      const threeDs = await startThreeDs(h, holder, { amount: 1_000, merchantId: REFUND.merchantId });
      expect(threeDs.body.transStatus).toBe('C');
    });
  });
});
