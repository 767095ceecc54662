// GET /v1/banking/cards/:id/transactions: every item as SPEC §6 lists it, declined attempts with a
// readable reason in the cardholder's language, and keyset pages that stay stable under inserts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { allPagesChecked, bankingChecked } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);

type Holder = Awaited<ReturnType<Harness['cardholder']>>;
const txPath = (cardId: string, query = '') => `/v1/banking/cards/${cardId}/transactions${query}`;

async function allPages(holder: Holder, cardId: string, limit: number) {
  return (await allPagesChecked<{ id: string }>(h, holder.token, txPath(cardId), limit)).map((t) => t.id);
}

describe('items', () => {
  it('shows approvals, reversals and declined attempts with the SPEC fields, newest first', async () => {
    const holder = await h.cardholder(100_000);
    const approved = await h.authorize(holder, { amount: 12_345 });
    h.clock.advance(1_000);
    const atm = await h.authorize(holder, { mcc: '6011', processingCode: '010000', merchantName: 'Corner ATM' });
    h.clock.advance(1_000);
    await h.network('/v1/network/reversals', {
      authorizationId: approved.body.authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
      replacementAmount: 2_345,
    });
    h.clock.advance(1_000);
    const over = await h.authorize(holder, { amount: 105_000 });
    expect(over.body.overLimit).toBe(true);

    const res = await bankingChecked(h, holder.token, 'GET', txPath(holder.card.id));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const [overItem, reversal, declined, purchase] = res.body.data;
    expect(res.body.data).toHaveLength(4);
    expect(Object.keys(purchase).sort()).toEqual([
      'amount', 'billingAmount', 'createdAt', 'currency', 'description', 'id', 'mcc', 'merchantName', 'overLimit',
      'reason', 'responseCode', 'status', 'type',
    ]);
    expect(purchase).toMatchObject({
      id: approved.body.authorizationId, type: 'authorization', status: 'pending', amount: 12_345, currency: 'KWD',
      billingAmount: 12_345, merchantName: 'Gulf Books Online', mcc: '5732', responseCode: '00', reason: 'approved',
      description: 'Approved', overLimit: false,
    });
    expect(declined).toMatchObject({
      id: atm.body.authorizationId, type: 'authorization', status: 'declined', responseCode: '57', reason: 'channel_atm_or_cash',
      description: 'Blocked: ATM cash withdrawals are not allowed on this card', merchantName: 'Corner ATM', mcc: '6011',
    });
    expect(reversal).toMatchObject({ type: 'reversal', status: 'reversed', amount: 10_000, currency: 'KWD', merchantName: 'Gulf Books Online' });
    expect(overItem).toMatchObject({ type: 'authorization', overLimit: true, reason: 'approved_over_limit' });
    expect(new Date(overItem.createdAt).getTime()).toBeGreaterThan(new Date(purchase.createdAt).getTime());
  });

  it('describes in Arabic for an Arabic-speaking cardholder; foreign currencies are alphabetic', async () => {
    const holder = await h.cardholder();
    await h.deps.handle.db.updateTable('customers').set({ language: 'ar' }).where('id', '=', holder.customer.id).execute();
    await h.authorize(holder, { terminalType: 'pos', posEntryMode: '071', posConditionCode: '00' });
    await h.authorize(holder, { currency: '840', amount: 1_000 });
    const res = await bankingChecked(h, holder.token, 'GET', txPath(holder.card.id));
    const [usd, pos] = res.body.data;
    expect(pos.description).toBe('محظورة: لا يمكن استخدام هذه البطاقة في أجهزة نقاط البيع');
    expect(usd).toMatchObject({ currency: 'USD', reason: 'unsupported_currency', billingAmount: null, responseCode: '12' });
  });

  it('reads clearings, refunds and payments as the schema stores them', async () => {
    const holder = await h.cardholder();
    const db = h.deps.handle.db;
    const t = h.clock.now();
    await db.insertInto('clearings').values({
      id: newId('clr', t), account_id: holder.card.accountId, authorization_id: null, record_key: `a|${t}|000000`,
      status: 'posted_unmatched', processing_code: '000000', amount: 500, currency: '840', billing_fils: 160, fx_rate: '0.31',
      difference_fils: null, mcc: '5732', merchant_name: 'US Books', needs_review: 0, created_at: t, clearing_sequence: 1, clearing_count: 1,
    }).execute();
    await db.insertInto('clearings').values({
      id: newId('clr', t + 1), account_id: holder.card.accountId, authorization_id: null, record_key: `a|${t}|200000`,
      status: 'posted', processing_code: '200000', amount: 1_000, currency: '414', billing_fils: 1_000, fx_rate: null,
      difference_fils: null, mcc: '5732', merchant_name: 'Gulf Books Online', needs_review: 0, created_at: t + 1, clearing_sequence: 1, clearing_count: 1,
    }).execute();
    await db.insertInto('payments').values({
      id: newId('pay', t + 2), account_id: holder.card.accountId, from_account_id: holder.customer.currentAccountId,
      amount_fils: 2_000, created_at: t + 2,
    }).execute();
    const res = await bankingChecked(h, holder.token, 'GET', txPath(holder.card.id));
    expect(res.body.data.map((i: { type: string }) => i.type)).toEqual(['payment', 'refund', 'clearing']);
    expect(res.body.data[0]).toMatchObject({ status: 'posted', amount: 2_000, currency: 'KWD', description: 'Payment from your current account', merchantName: null });
    expect(res.body.data[1]).toMatchObject({ status: 'posted', amount: 1_000, currency: 'KWD', description: 'Refund from the merchant' });
    expect(res.body.data[2]).toMatchObject({ status: 'posted', currency: 'USD', billingAmount: 160, reason: 'posted_unmatched' });
  });

  it('is the account\'s history: the replacement card shows the old card\'s transactions', async () => {
    const holder = await h.cardholder();
    const auth = await h.authorize(holder, { amount: 700 });
    const fresh = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/replace`, { otp: await h.otp(holder.totpSecret) });
    const res = await bankingChecked(h, holder.token, 'GET', txPath(fresh.body.id));
    expect(res.body.data.map((i: { id: string }) => i.id)).toEqual([auth.body.authorizationId]);
  });
});

describe('with the money verbs', () => {
  it('shows a real clearing (the authorization posted) and a real payment', async () => {
    const holder = await h.cardholder();
    const request = h.purchase(holder, { amount: 4_000 });
    const auth = await h.network('/v1/network/authorizations', request);
    h.clock.advance(1_000);
    const cleared = await h.network('/v1/network/clearings', { records: [{
      rrn: request.rrn, acquirerId: request.acquirerId, authCode: auth.body.authCode, amount: 4_000, currency: '414',
      processingCode: '000000', mcc: request.mcc, merchantName: request.merchantName,
    }] });
    expect(cleared.body.results[0].status).toBe('posted');
    h.clock.advance(1_000);
    const paid = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/payments`, {
      amount: 4_000, fromAccountId: holder.customer.currentAccountId,
    });
    expect(paid.status).toBe(201);
    const res = await bankingChecked(h, holder.token, 'GET', txPath(holder.card.id));
    expect(res.body.data.map((i: { type: string; status: string }) => `${i.type}:${i.status}`))
      .toEqual(['payment:posted', 'clearing:posted', 'authorization:posted']);
    expect(res.body.data[1]).toMatchObject({ amount: 4_000, billingAmount: 4_000, currency: 'KWD', merchantName: 'Gulf Books Online' });
  });
});

describe('pagination', () => {
  it('refuses a forged cursor and an out-of-range limit with field errors', async () => {
    const holder = await h.cardholder();
    for (const query of ['?cursor=bm9wZQ', '?limit=0', '?limit=101', '?limit=abc']) {
      const res = await bankingChecked(h, holder.token, 'GET', txPath(holder.card.id, query));
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('validation_error');
    }
  });

  it('pages through everything exactly once, also with many rows in one millisecond', async () => {
    const holder = await h.cardholder(200_000);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await h.authorize(holder, { amount: 100 + i })).body.authorizationId);
    expect(await allPages(holder, holder.card.id, 3)).toEqual([...made].reverse());
  });

  it('property: inserts between page reads never repeat or skip a row that existed before', async () => {
    const holder = await h.cardholder(200_000);
    for (let i = 0; i < 5; i++) await h.authorize(holder, { amount: 100 });
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
      async (limit, insertsPerPage) => {
        const before = await allPages(holder, holder.card.id, 100);
        const seen: string[] = [];
        let cursor: string | null = null;
        let page = 0;
        do {
          const res = await h.banking(holder.token, 'GET', txPath(holder.card.id, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`));
          seen.push(...res.body.data.map((t: { id: string }) => t.id));
          cursor = res.body.nextCursor;
          for (let i = 0; i < (insertsPerPage[page % insertsPerPage.length] ?? 0); i++) {
            if (i % 2) h.clock.advance(1);
            await h.authorize(holder, { amount: 100, mcc: '6011' });
          }
          page += 1;
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(before);
      },
    ), { numRuns: 8 });
  });
});
});
