// Card lifecycle pages: a confirmation page, then the POST changes the card's status.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

const statusOf = async (id: string) =>
  (await h.deps.handle.db.selectFrom('cards').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

it('freeze and unfreeze go through a confirmation page and change the card status', async () => {
  const { token, card } = await h.cardholder();
  const web = webSession(h, token);
  const dashboard = await web.get('/');
  expect(dashboard.text).toContain(`/cards/${card.id}/freeze`);
  const confirm = await web.get(`/cards/${card.id}/freeze`);
  expect(confirm.status).toBe(200);
  expect(confirm.text).toContain('Freeze your card?');
  expect(confirm.text).toContain('name="_csrf"');

  const frozen = await web.post(`/cards/${card.id}/freeze`);
  expect(frozen.status).toBe(303);
  expect(frozen.headers.get('location')).toBe('/?done=freeze');
  expect(await statusOf(card.id)).toBe('frozen');

  await web.post(`/cards/${card.id}/unfreeze`);
  expect(await statusOf(card.id)).toBe('active');
});

it('a post without the CSRF token changes nothing', async () => {
  const { token, card } = await h.cardholder();
  const res = await h.request('POST', `/cards/${card.id}/freeze`, {
    raw: '', headers: { cookie: `isc_session=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.status).toBe(403);
  expect(await statusOf(card.id)).toBe('active');
});

it('report stolen, then replace with a code gives a new active card', async () => {
  const { token, card, totpSecret } = await h.cardholder();
  const web = webSession(h, token);
  await web.post(`/cards/${card.id}/report`, { reason: 'stolen' });
  expect(await statusOf(card.id)).toBe('stolen');

  const noCode = await web.post(`/cards/${card.id}/replace`, { otp: '000000' });
  expect(noCode.status).toBeGreaterThanOrEqual(400);
  expect(noCode.text).toContain('The code is wrong');

  const replaced = await web.post(`/cards/${card.id}/replace`, { otp: await h.otp(totpSecret) });
  expect(replaced.headers.get('location')).toBe('/?done=replace');
  const cards = await h.deps.handle.db.selectFrom('cards').select(['id', 'status']).where('account_id', '=', card.accountId).execute();
  expect(cards.find((c) => c.id !== card.id)?.status).toBe('active');
  expect(await statusOf(card.id)).toBe('stolen');
});

it('cancel needs a code and closes the card; another customer gets 404', async () => {
  const { token, card, totpSecret } = await h.cardholder();
  const other = await h.cardholder();
  expect((await webSession(h, other.token).get(`/cards/${card.id}/cancel`)).status).toBe(404);

  const web = webSession(h, token);
  const res = await web.post(`/cards/${card.id}/cancel`, { otp: await h.otp(totpSecret) });
  expect(res.headers.get('location')).toBe('/?done=cancel');
  expect(await statusOf(card.id)).toBe('cancelled');
});

it('the Arabic confirmation page is right-to-left', async () => {
  const { token, card } = await h.cardholder();
  const res = await webSession(h, token).get(`/cards/${card.id}/freeze?lang=ar`);
  expect(res.text).toMatch(/dir="rtl"/);
});
