// SPEC §6 web pages: `?lang=ar|en` on any page switches the language and a cookie remembers it;
// a signed-in switch is also stored on the customer, and a sign-in on a new browser follows it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

it('a logged-out visitor to /?lang=ar is sent to the Arabic sign-in page, and the choice is remembered', async () => {
  const home = await h.request('GET', '/?lang=ar');
  expect(home.status).toBe(303);
  expect(home.headers.get('location')).toBe('/login?lang=ar');

  const login = await h.request('GET', '/login?lang=ar');
  expect(login.status).toBe(200);
  expect(login.text).toMatch(/<html[^>]*lang="ar"[^>]*dir="rtl"/);
  const cookie = login.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/isc_lang=ar/);

  const again = await h.request('GET', '/login', { headers: { cookie: 'isc_lang=ar' } });
  expect(again.text).toMatch(/dir="rtl"/);
  const english = await h.request('GET', '/login?lang=en', { headers: { cookie: 'isc_lang=ar' } });
  expect(english.text).toMatch(/<html[^>]*lang="en"[^>]*dir="ltr"/);
});

it('the security headers keep a same-origin referrer so form posts pass the CSRF origin check', async () => {
  const res = await h.request('GET', '/login');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
});

const languageOf = async (customerId: string) =>
  (await h.deps.handle.db.selectFrom('customers').select('language').where('id', '=', customerId).executeTakeFirstOrThrow()).language;

const signIn = (username: string, password: string, cookie?: string) => h.request('POST', '/login', {
  raw: new URLSearchParams({ username, password }).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', ...(cookie ? { cookie } : {}) },
});

it('a signed-in switch is stored on the customer (audited), and the API then answers in it', async () => {
  const { token, customer } = await h.cardholder();
  const web = webSession(h, token);
  expect(await languageOf(customer.id)).toBe('en');
  const page = await web.get('/?lang=ar');
  expect(page.status).toBe(200);
  expect(await languageOf(customer.id)).toBe('ar');
  const audit = await h.deps.handle.db.selectFrom('audit_log').select(['action']).where('subject', '=', customer.id)
    .where('action', '=', 'customer.language_changed').execute();
  expect(audit).toHaveLength(1);
  // The API's default language follows: notification texts in Arabic without asking.
  const notes = await h.banking(token, 'GET', '/v1/banking/notifications');
  expect(notes.body.data.find((n: { kind: string }) => n.kind === 'card_issued').message).toContain('جاهزة');
  await web.get('/transactions?lang=ar'); // the same language again writes nothing
  await web.get('/?lang=en');
  expect(await languageOf(customer.id)).toBe('en');
});

it('signing in without a language cookie opens in the stored language; a cookie wins', async () => {
  const customer = await h.createCustomer();
  await h.deps.handle.db.updateTable('customers').set({ language: 'ar' }).where('id', '=', customer.id).execute();
  const fresh = await signIn(customer.username, customer.password);
  expect(fresh.status).toBe(303);
  expect(fresh.headers.get('set-cookie')).toMatch(/isc_lang=ar/);
  const session = /isc_session=([^;]+)/.exec(fresh.headers.get('set-cookie')!)![1];
  const home = await h.request('GET', '/', { headers: { cookie: `isc_session=${session}; isc_lang=ar` } });
  expect(home.text).toMatch(/<html[^>]*lang="ar"[^>]*dir="rtl"/);

  const chosen = await signIn(customer.username, customer.password, 'isc_lang=en');
  expect(chosen.status).toBe(303);
  expect(chosen.headers.get('set-cookie')).not.toMatch(/isc_lang=/);
  expect(await languageOf(customer.id)).toBe('ar');
});
