// SPEC §6 web pages: `?lang=ar|en` on any page switches the language and a cookie remembers it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

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
