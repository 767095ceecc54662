// Page tests in process: the session cookie and the CSRF token a real form would carry.
import { csrfTokenFor } from '../../src/http/middleware/csrf.js';
import type { Harness } from './harness.js';

export function webSession(h: Harness, token: string) {
  const cookie = `isc_session=${token}`;
  const csrf = csrfTokenFor(h.deps.keyring, token);
  return {
    get: (path: string) => h.request('GET', path, { headers: { cookie } }),
    post: (path: string, form: Record<string, string> = {}) => h.request('POST', path, {
      raw: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    }),
  };
}
