// Web hardening (issue 7 §4): secure headers, CSRF for cookie sessions, cookie flags, shared rate
// limits with Retry-After, request ids in log lines and errors.
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { setSecureCookie } from '../../src/http/middleware/cookies.js';
import { csrfTokenFor } from '../../src/http/middleware/csrf.js';
import type { AppEnv } from '../../src/http/env.js';
import { forEachBackend } from '../support/backends.js';
import { ADMIN_KEY, Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
const h = useHarness(backend, { env: { RATE_LIMIT_LOGIN_PER_MIN: '40', RATE_LIMIT_ADMIN_PER_MIN: '50', RATE_LIMIT_SENSITIVE_PER_MIN: '30' } });
let holder: Awaited<ReturnType<Harness['cardholder']>>;

beforeAll(async () => {
  holder = await h.cardholder();
});

const cookieHeaders = (token: string, extra: Record<string, string> = {}) => ({ cookie: `isc_session=${token}`, ...extra });

describe('secure headers', () => {
  it('are on API answers, errors and unknown paths alike', async () => {
    for (const res of [
      await h.request('GET', '/healthz'),
      await h.request('GET', '/v1/no/such/route'),
      await h.admin('GET', '/v1/admin/customers/nope'),
      await h.request('GET', '/v1/banking/cards'),
    ]) {
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  it('API answers are never cached', async () => {
    const res = await h.banking(holder.token, 'GET', '/v1/banking/cards');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated state change without the token', async () => {
    const res = await h.request('POST', '/v1/banking/mfa/totp', { headers: cookieHeaders(holder.token) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('csrf_rejected');
  });

  it('refuses a wrong token, and one minted for another session', async () => {
    const other = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
    for (const token of ['x'.repeat(32), csrfTokenFor(h.deps.keyring, other)]) {
      const res = await h.request('DELETE', '/v1/banking/sessions/current', { headers: cookieHeaders(holder.token, { 'x-csrf-token': token }) });
      expect(res.status).toBe(403);
    }
  });

  it('refuses a cross-site request even with the token', async () => {
    const token = csrfTokenFor(h.deps.keyring, holder.token);
    const variants: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }];
    for (const extra of variants) {
      const res = await h.request('DELETE', '/v1/banking/sessions/current', { headers: cookieHeaders(holder.token, { 'x-csrf-token': token, ...extra }) });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('csrf_rejected');
    }
  });

  it('accepts the token in a header or a form field', async () => {
    const s1 = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
    const viaHeader = await h.request('DELETE', '/v1/banking/sessions/current', {
      headers: cookieHeaders(s1, { 'x-csrf-token': csrfTokenFor(h.deps.keyring, s1), 'sec-fetch-site': 'same-origin', origin: 'http://localhost' }),
    });
    expect(viaHeader.status).toBe(204);
    const s2 = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
    const viaForm = await h.request('DELETE', '/v1/banking/sessions/current', {
      raw: `_csrf=${encodeURIComponent(csrfTokenFor(h.deps.keyring, s2))}`,
      headers: cookieHeaders(s2, { 'content-type': 'application/x-www-form-urlencoded' }),
    });
    expect(viaForm.status).toBe(204);
  });

  it('exempts bearer-token calls and GETs', async () => {
    expect((await h.request('GET', '/v1/banking/cards', { headers: cookieHeaders(holder.token, { 'sec-fetch-site': 'cross-site' }) })).status).toBe(200);
    const created = await h.admin('POST', '/v1/admin/customers', { username: `csrf${Date.now()}`, password: 'correct horse battery', name: 'X', currentAccountBalance: 0 });
    expect(created.status).toBe(201);
  });

  it('refuses a cross-site form post to sign in (login CSRF)', async () => {
    const res = await h.request('POST', '/v1/banking/sessions', {
      raw: JSON.stringify({ username: holder.customer.username, password: holder.customer.password }),
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
  });
});

describe('cookies', () => {
  const app = (env: 'production' | 'development') => new Hono<AppEnv>().get('/', (c) => {
    setSecureCookie(c, { env }, 'isc_session', 'v', { maxAgeSeconds: 60 });
    return c.text('ok');
  });
  it('are HttpOnly, SameSite=Strict, Path=/, and Secure in production', async () => {
    const prod = (await app('production').request('/')).headers.get('set-cookie')!;
    expect(prod).toMatch(/HttpOnly/);
    expect(prod).toMatch(/SameSite=Strict/);
    expect(prod).toMatch(/Path=\//);
    expect(prod).toMatch(/Secure/);
    const dev = (await app('development').request('/')).headers.get('set-cookie')!;
    expect(dev).toMatch(/HttpOnly/);
    expect(dev).not.toMatch(/Secure/);
  });
});

describe('rate limits', () => {
  it('allow 30 sign-ins a minute from one address, then answer 429 with Retry-After; a new window opens', async () => {
    h.clock.advance(60_000 - (h.clock.now() % 60_000)); // a fresh window
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 41; i++) {
      last = await h.request('POST', '/v1/banking/sessions', { body: { username: `nobody${i}`, password: 'wrong password' } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(last!.status).toBe(429);
    expect(last!.body.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    h.clock.advance(60_000);
    expect((await h.request('POST', '/v1/banking/sessions', { body: { username: 'nobody', password: 'wrong password' } })).status).toBe(401);
  });

  it('limit admin calls per address, counted in the shared table', async () => {
    h.clock.advance(60_000 - (h.clock.now() % 60_000));
    let last;
    for (let i = 0; i < 51; i++) last = await h.admin('GET', '/v1/admin/products/internet-shopping');
    expect(last!.status).toBe(429);
    const rows = await h.deps.handle.db.selectFrom('rate_limits').selectAll().where('bucket', 'like', 'admin-ip:%').execute();
    expect(rows[0].hits).toBeGreaterThanOrEqual(51);
    // Wrong keys count too: guessing keys is no faster.
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, 'guess-0123456789abcdef')).status).toBe(429);
    h.clock.advance(60_000);
    expect((await h.admin('GET', '/v1/admin/products/internet-shopping', undefined, ADMIN_KEY)).status).toBe(200);
  });

  it('limit reveal per customer', async () => {
    h.clock.advance(60_000 - (h.clock.now() % 60_000));
    let last;
    for (let i = 0; i < 31; i++) last = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: '000000' });
    expect(last!.status).toBe(429);
  });
});

describe('request ids', () => {
  it('are in every log line of a request and in every error', async () => {
    h.clock.advance(16 * 60_000);
    const before = h.logLines.length;
    const res = await h.request('GET', '/v1/no/such/route', { headers: { 'x-request-id': 'req-test-123' } });
    expect(res.body.requestId).toBe('req-test-123');
    expect(res.headers.get('x-request-id')).toBe('req-test-123');
    const lines = h.logLines.slice(before).map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toBe('req-test-123');
  });
});
});
