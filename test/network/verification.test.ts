// Account verification (amount 0, processing code 00, SPEC §4): every row but 51 decides, and a
// card that passes is answered 85 verified (approved false, no auth code, no hold, no purchase
// notification). It shows as `verified`, resets the card-testing count and makes the merchant known.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { authorization, cardView, type Holder } from '../support/money.js';
import { startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const verify = (holder: Holder, overrides: Record<string, unknown> = {}) => h.authorize(holder, { amount: 0, merchantId: 'M-STORE', ...overrides });
  const cardStatus = async (holder: Holder) => (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body.status as string;

  it('is 85 verified: not approved, no auth code, no hold, no purchase notification; listed as verified', async () => {
    const holder = await h.cardholder(100_000);
    const before = await cardView(h, holder);
    const [transfers] = await h.countRows('ledger_transfers');
    const res = await verify(holder);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ responseCode: '85', approved: false, reason: 'verified', billingAmount: 0, overLimit: false });
    expect(res.body.authCode).toBeUndefined();
    expect(await cardView(h, holder)).toMatchObject({ available: before.available, outstanding: before.outstanding });
    expect((await h.countRows('ledger_transfers'))[0]).toBe(transfers);
    expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'verified', approved: 0, rule_id: 'verified', hold_fils: 0, expires_at: null });
    const notes = (await h.banking(holder.token, 'GET', '/v1/banking/notifications')).body.data as Array<{ kind: string }>;
    expect(notes.map((n) => n.kind)).not.toContain('purchase_approved');
    const list = (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}/transactions`)).body.data;
    expect(list[0]).toMatchObject({ id: res.body.authorizationId, type: 'authorization', status: 'verified', amount: 0,
      responseCode: '85', reason: 'verified', description: 'Card checked by the merchant (nothing charged)' });
    // In the cardholder's language (the web pages set it with ?lang=ar).
    await h.deps.handle.db.updateTable('customers').set({ language: 'ar' }).where('id', '=', holder.customer.id).execute();
    const arabic = (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}/transactions`)).body.data;
    expect(arabic[0].description).toBe('تحقق التاجر من البطاقة (دون أي خصم)');
  });

  it('is not held to the limit (51 does not apply), and spends no over-limit allowance', async () => {
    const holder = await h.cardholder(100_000);
    expect((await h.authorize(holder, { amount: 100_000 })).body.responseCode).toBe('00');
    expect((await h.authorize(holder, { amount: 30_000 })).body).toMatchObject({ responseCode: '51' }); // past limit + margin
    expect((await verify(holder)).body).toMatchObject({ responseCode: '85', reason: 'verified' });
    expect((await cardView(h, holder)).overLimit.used).toBe(false);
  });

  it('goes through every other row', async () => {
    const holder = await h.cardholder(100_000);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ posEntryMode: '051', pinPresent: true }, '57', 'channel_card_present'],
      [{ mcc: '6011' }, '57', 'channel_atm_or_cash'],
      [{ posEntryMode: '011', posConditionCode: '00' }, '57', 'channel_not_ecommerce'],
      [{ mcc: '7995' }, '57', 'mcc_blocked'],
      [{ expiry: '2001' }, '54', 'expired_card'],
      [{ cvv2: undefined }, 'N7', 'cvv2_required'],
      [{ currency: '392' }, '12', 'unsupported_currency'],
      [{ eci: '05', cavv: Buffer.alloc(20, 3).toString('base64') }, '05', 'authentication_failed'],
    ];
    for (const [overrides, code, reason] of cases) {
      expect({ overrides, ...(await verify(holder, overrides)).body }).toMatchObject({ overrides, responseCode: code, reason, approved: false });
    }
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/freeze`);
    expect((await verify(holder)).body).toMatchObject({ responseCode: '62', reason: 'card_frozen' });
  });

  it('a wrong CVV2 counts toward the freeze; a verification resets the count', async () => {
    const holder = await h.cardholder(100_000);
    for (let i = 0; i < 4; i++) expect((await verify(holder, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
    expect((await verify(holder)).body.reason).toBe('verified');
    for (let i = 0; i < 4; i++) expect((await h.authorize(holder, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
    expect(await cardStatus(holder)).toBe('active');
    expect((await verify(holder, { cvv2: '000' })).body.reason).toBe('cvv2_mismatch');
    expect(await cardStatus(holder)).toBe('frozen');
  });

  it('makes the merchant known: credential on file and frictionless 3-D Secure there, not elsewhere', async () => {
    const holder = await h.cardholder(100_000);
    expect((await startThreeDs(h, holder, { amount: 5_000, merchantId: 'M-STORE' })).body.transStatus).toBe('C');
    const res = await verify(holder);
    const y = await startThreeDs(h, holder, { amount: 5_000, merchantId: 'M-STORE' });
    expect(y.body).toMatchObject({ transStatus: 'Y', eci: '05' });
    expect((await startThreeDs(h, holder, { amount: 5_000, merchantId: 'M-OTHER' })).body.transStatus).toBe('C');
    const cof = { amount: 4_750, posEntryMode: '100', posConditionCode: '00', cvv2: undefined, initialTransactionId: res.body.authorizationId };
    expect((await h.authorize(holder, { ...cof, merchantId: 'M-STORE' })).body).toMatchObject({ responseCode: '00', reason: 'approved' });
    expect((await h.authorize(holder, { ...cof, merchantId: 'M-OTHER' })).body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_required' });
  });

  it('a failed verification makes nothing known', async () => {
    const holder = await h.cardholder(100_000);
    const failed = await verify(holder, { cvv2: '000' });
    expect(failed.body.reason).toBe('cvv2_mismatch');
    expect((await startThreeDs(h, holder, { amount: 5_000, merchantId: 'M-STORE' })).body.transStatus).toBe('C');
    const cof = { amount: 1_000, posEntryMode: '100', posConditionCode: '00', cvv2: undefined, merchantId: 'M-STORE', initialTransactionId: failed.body.authorizationId };
    expect((await h.authorize(holder, cof)).body.reason).toBe('cvv2_required');
  });
});
