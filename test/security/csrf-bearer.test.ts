// Only `Authorization: Bearer …` exempts a request from the CSRF check, and such a request is never
// authenticated by a cookie (SPEC §6). A browser attaches cookies, and Basic credentials it has
// been given for the site, to a cross-site form post by itself; it never invents a bearer token.
import { beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../../src/http/middleware/csrf.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Awaited<ReturnType<Harness['cardholder']>>;

beforeAll(async () => {
  holder = await h.cardholder();
});

const freshSession = async () => h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
const alive = async (token: string) => (await h.banking(token, 'GET', '/v1/banking/cards')).status === 200;
const NOT_BEARER = ['Basic dXNlcjpwYXNz', 'garbage', 'Digest username="x"', 'Bearerx', 'Token abc'];

describe('API: a non-Bearer Authorization header does not exempt a cookie request from CSRF', () => {
  it.each(NOT_BEARER)('%s + session cookie, no CSRF token: 403 csrf_rejected, nothing done', async (authorization) => {
    const session = await freshSession();
    const res = await h.request('DELETE', '/v1/banking/sessions/current', { headers: { cookie: `isc_session=${session}`, authorization } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('csrf_rejected');
    expect(await alive(session)).toBe(true);
  });

  it('a non-Bearer header with the right CSRF token: the cookie authenticates as usual', async () => {
    const session = await freshSession();
    const res = await h.request('DELETE', '/v1/banking/sessions/current', {
      headers: { cookie: `isc_session=${session}`, authorization: 'Basic dXNlcjpwYXNz', 'x-csrf-token': csrfTokenFor(h.deps.keyring, session) },
    });
    expect(res.status).toBe(204);
    expect(await alive(session)).toBe(false);
  });
});

describe('API: a Bearer request is never authenticated by the cookie', () => {
  it.each(['Bearer', 'Bearer ', 'Bearer not-a-token', 'bearer not-a-token', 'BEARER  '])('"%s" + valid cookie: 401', async (authorization) => {
    const session = await freshSession();
    for (const [method, path] of [['GET', '/v1/banking/cards'], ['DELETE', '/v1/banking/sessions/current'], ['POST', '/v1/banking/mfa/totp']] as const) {
      const res = await h.request(method, path, { headers: { cookie: `isc_session=${session}`, authorization } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await alive(session)).toBe(true);
  });

  it('a valid bearer token in any letter case authenticates, cookie or not', async () => {
    const session = await freshSession();
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await h.request('GET', '/v1/banking/cards', { headers: { authorization: `${scheme} ${session}`, cookie: 'isc_session=whatever' } });
      expect(res.status).toBe(200);
    }
  });
});

describe('web pages: a Bearer header takes away the cookie\'s authority', () => {
  it('POST /logout with a Bearer header and the session cookie, no CSRF token: nothing happens', async () => {
    const session = await freshSession();
    for (const authorization of ['Bearer x', 'Bearer', `Bearer ${session}`]) {
      const res = await h.request('POST', '/logout', {
        raw: '', headers: { cookie: `isc_session=${session}`, authorization, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login(\?|$)/);
      expect(res.headers.get('location')).not.toContain('bye');
      expect(await alive(session)).toBe(true);
    }
  });

  it('GET / with a Bearer header and the session cookie is sent to sign in', async () => {
    const session = await freshSession();
    expect((await h.request('GET', '/', { headers: { cookie: `isc_session=${session}` } })).status).toBe(200);
    const res = await h.request('GET', '/', { headers: { cookie: `isc_session=${session}`, authorization: 'Bearer x' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
  });

  it('POST /logout with a non-Bearer header and no CSRF token: refused', async () => {
    const session = await freshSession();
    const res = await h.request('POST', '/logout', {
      raw: '', headers: { cookie: `isc_session=${session}`, authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
    expect(await alive(session)).toBe(true);
  });
});
});
