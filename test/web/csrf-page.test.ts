// A refused form post on a web page (stale token, other site) answers with a page in the page's
// language and a link back; nothing changes. The API keeps its problem+json answer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

const statusOf = async (id: string) =>
  (await h.deps.handle.db.selectFrom('cards').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

const formPost = (path: string, token: string, headers: Record<string, string> = {}) => h.request('POST', path, {
  raw: new URLSearchParams({ _csrf: 'from-an-older-session-000000' }).toString(),
  headers: { cookie: `isc_session=${token}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
});

it('a stale token on a page form: an HTML page in the page language with a link back to the form', async () => {
  const { token, card } = await h.cardholder();
  const res = await formPost(`/cards/${card.id}/freeze`, token, {
    cookie: `isc_session=${token}; isc_lang=ar`, origin: 'http://localhost', referer: `http://localhost/cards/${card.id}/freeze`,
  });
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.text).toMatch(/^<!DOCTYPE html><html lang="ar" dir="rtl"/);
  expect(res.text).toContain('انتهت صلاحية هذا النموذج');
  expect(res.text).toContain(`id="csrf-back"`);
  expect(res.text).toContain(`href="/cards/${card.id}/freeze"`);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await statusOf(card.id)).toBe('active');
});

it('a cross-site form post: the page in English, the link goes home, not back to the other site', async () => {
  const { token, card } = await h.cardholder();
  const res = await formPost(`/cards/${card.id}/freeze`, token, {
    'sec-fetch-site': 'cross-site', origin: 'https://evil.example', referer: 'https://evil.example/trap',
  });
  expect(res.status).toBe(403);
  expect(res.text).toMatch(/<html lang="en" dir="ltr"/);
  expect(res.text).toContain('This form has expired');
  expect(res.text).not.toContain('evil.example');
  expect(res.text).toMatch(/href="\/" id="csrf-back"|id="csrf-back"[^>]*href="\/"|href="\/"[^>]*id="csrf-back"/);
  expect(await statusOf(card.id)).toBe('active');
});

it('API routes, and a JSON client on a page route, keep problem+json', async () => {
  const { token, card } = await h.cardholder();
  const api = await formPost(`/v1/banking/cards/${card.id}/freeze`, token);
  expect(api.status).toBe(403);
  expect(api.headers.get('content-type')).toContain('application/problem+json');
  expect(api.body.code).toBe('csrf_rejected');
  const json = await h.request('POST', `/cards/${card.id}/freeze`, {
    body: {}, headers: { cookie: `isc_session=${token}`, accept: 'application/json' },
  });
  expect(json.status).toBe(403);
  expect(json.body.code).toBe('csrf_rejected');
  expect(await statusOf(card.id)).toBe('active');
  // Not a page: an ops route, a method no page serves, an unknown path.
  for (const [method, path] of [['PATCH', '/readyz'], ['PUT', `/cards/${card.id}/freeze`], ['POST', '/nowhere']]) {
    const res = await h.request(method, path, {
      raw: 'a=1', headers: { cookie: `isc_session=${token}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(res.status, `${method} ${path}`).toBe(403);
    expect(res.headers.get('content-type'), `${method} ${path}`).toContain('json');
  }
});
