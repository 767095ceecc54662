// Payments page: pay the posted balance from the current account; bad amounts are refused.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseKdToFils } from '../../src/web/pages/payments.js';
import { Harness } from '../support/harness.js';
import { account, approvedPurchase, clear, recordFor } from '../support/money.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

it.each([['12.5', 12_500], ['12.500', 12_500], ['3', 3_000], ['0.001', 1], ['0', null], ['1.2345', null], ['-1', null], ['abc', null]])(
  'parses %s KD', (text, fils) => { expect(parseKdToFils(text)).toBe(fils); });

it('paying 4.250 KD lowers what is owed and the current account balance', async () => {
  const holder = await h.cardholder();
  const { authCode, request } = await approvedPurchase(h, holder, { amount: 10_000 });
  await clear(h, [recordFor(request, authCode)]);
  const web = webSession(h, holder.token);

  const form = await web.get('/pay');
  expect(form.status).toBe(200);
  expect(form.text).toMatch(/<label for="from">/);
  expect(form.text).toMatch(/<label for="amount">/);

  const paid = await web.post('/pay', { from: holder.customer.currentAccountId, amount: '4.250' });
  expect(paid.status).toBe(303);
  expect(paid.headers.get('location')).toBe('/pay?paid=4250');
  expect(Number((await account(h, holder)).posted_fils)).toBe(5_750);
  const current = await h.deps.handle.db.selectFrom('current_accounts').select('balance_fils')
    .where('id', '=', holder.customer.currentAccountId).executeTakeFirstOrThrow();
  expect(Number(current.balance_fils)).toBe(1_000_000 - 4_250);

  const after = await web.get('/pay?paid=4250&lang=ar');
  expect(after.text).toMatch(/dir="rtl"/);

  const tooMuch = await web.post('/pay', { amount: '50' });
  expect(tooMuch.status).toBe(409);
  expect(tooMuch.text).toContain('That is more than you owe.');
  const bad = await web.post('/pay', { amount: 'ten' });
  expect(bad.status).toBe(400);
  expect(Number((await account(h, holder)).posted_fils)).toBe(5_750);
});
