// Transactions page: blocked attempts are highlighted with their reason; "Older" follows nextCursor.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

it('shows purchases, highlights a refused ATM attempt, and pages with nextCursor', async () => {
  const holder = await h.cardholder();
  const web = webSession(h, holder.token);
  const atm = await h.authorize(holder, { processingCode: '010000', mcc: '6011', posEntryMode: '051', merchantName: 'Corner ATM' });
  expect(atm.body.responseCode).not.toBe('00');
  for (let i = 0; i < 20; i += 1) {
    h.clock.advance(1_000);
    const ok = await h.authorize(holder, { amount: 100, merchantName: `Shop ${i}` });
    expect(ok.body.responseCode).toBe('00');
  }

  const dashboard = await web.get('/');
  expect(dashboard.text).toContain(`/transactions?card=${holder.card.id}`);
  expect(dashboard.text).toContain(`/statements?card=${holder.card.id}`);

  const first = await web.get('/transactions');
  expect(first.status).toBe(200);
  expect(first.text).toContain('Shop 19');
  expect(first.text).not.toContain('Corner ATM');
  const next = first.text.match(/href="(\/transactions\?card=[^"]+&amp;cursor=[^"]+)"/);
  expect(next).not.toBeNull();

  const second = await web.get(next![1].replace(/&amp;/g, '&'));
  expect(second.status).toBe(200);
  expect(second.text).toMatch(/<li class="activity decline decline-security" data-status="declined" data-kind="security" data-reason="channel_atm_or_cash">[\s\S]*Corner ATM[\s\S]*Blocked for your safety/);
  expect(second.text).not.toContain('Shop 19');

  const arabic = await web.get(`${next![1].replace(/&amp;/g, '&')}&lang=ar`);
  expect(arabic.text).toMatch(/dir="rtl"/);
  expect(arabic.text).toContain('محظورة');
});

it('another customer\'s card is not found', async () => {
  const a = await h.cardholder();
  const b = await h.cardholder();
  expect((await webSession(h, b.token).get(`/transactions?card=${a.card.id}`)).status).toBe(404);
});
