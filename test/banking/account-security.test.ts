// Account security (issue 5 §5): lockout after 5 wrong passwords or codes (429 + Retry-After),
// the same answer for an unknown user, TOTP replay refused, idle and absolute session expiry on
// the ManualClock, logout, and listing / revoking sessions.
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { bankingChecked, expectMatchesRoute } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);

const login = async (body: Record<string, unknown>) => {
  const res = await h.request('POST', '/v1/banking/sessions', { body });
  expectMatchesRoute(h, 'POST', '/v1/banking/sessions', res);
  return res;
};
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

describe('login', () => {
  it('answers an unknown user exactly like a wrong password', async () => {
    const customer = await h.createCustomer();
    const wrong = await login({ username: customer.username, password: 'not the password' });
    const unknown = await login({ username: 'nobody-here', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(wrong.body.code).toBe('invalid_credentials');
  });

  it('5 wrong passwords lock the username for 15 minutes (429 + Retry-After), even the right password', async () => {
    const customer = await h.createCustomer();
    // Each of the five wrong attempts is answered as wrong; the lock shows from the next try on.
    for (let i = 0; i < 5; i++) expect((await login({ username: customer.username, password: 'wrong' })).status).toBe(401);
    const right = await login({ username: customer.username, password: customer.password });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('locked');
    expect(Number(right.headers.get('retry-after'))).toBe(900);
    h.clock.advance(15 * 60_000);
    expect((await login({ username: customer.username, password: customer.password })).status).toBe(200);
  });

  it('an unknown username locks the same way', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login({ username: 'ghost-user', password: 'guess' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('with TOTP enrolled: no code is 401 otp_required; 5 wrong codes lock (429)', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    await h.enrolTotp(token);
    const noCode = await login({ username: customer.username, password: customer.password });
    expect(noCode.status).toBe(401);
    expect(noCode.body.code).toBe('otp_required');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login({ username: customer.username, password: customer.password, otp: '000000' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a TOTP code is accepted once: the replay is refused', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    const secret = await h.enrolTotp(token);
    h.clock.advance(30_000);
    const otp = await codeAt(secret, h.clock.now());
    expect((await login({ username: customer.username, password: customer.password, otp })).status).toBe(200);
    const replay = await login({ username: customer.username, password: customer.password, otp });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_otp');
    // The same for step-up: a code used for login does not reveal a card.
    const card = await h.banking(token, 'POST', '/v1/banking/cards', { limit: 100_000 });
    const reveal = await bankingChecked(h, token, 'POST', `/v1/banking/cards/${card.body.id}/reveal`, { otp });
    expect(reveal.status).toBe(403);
    expect(reveal.body.code).toBe('invalid_otp');
  });

  it('stores only a SHA-256 hash of a 256-bit token', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await h.deps.handle.db.selectFrom('sessions').selectAll().where('customer_id', '=', customer.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('session lifetime', () => {
  it('idle for 15 minutes ends the session; activity keeps it alive', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    h.clock.advance(14 * 60_000);
    expect((await h.banking(token, 'GET', '/v1/banking/cards')).status).toBe(200);
    h.clock.advance(14 * 60_000);
    expect((await h.banking(token, 'GET', '/v1/banking/cards')).status).toBe(200);
    h.clock.advance(15 * 60_000);
    const expired = await h.banking(token, 'GET', '/v1/banking/cards');
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('session_expired');
  });

  it('ends after 12 hours however active', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    for (let i = 0; i < 12 * 6 - 1; i++) {
      h.clock.advance(10 * 60_000);
      expect((await h.banking(token, 'GET', '/v1/banking/sessions')).status).toBe(200);
    }
    h.clock.advance(10 * 60_000);
    const res = await h.banking(token, 'GET', '/v1/banking/sessions');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('session_expired');
  });

  it('logout ends the session', async () => {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    const out = await bankingChecked(h, token, 'DELETE', '/v1/banking/sessions/current');
    expect(out.status).toBe(204);
    const after = await h.banking(token, 'GET', '/v1/banking/cards');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthorized');
  });
});

describe('sessions list and revoke', () => {
  it('lists live sessions with the current one marked, and revokes another', async () => {
    const customer = await h.createCustomer();
    const phone = await h.login(customer.username, customer.password);
    h.clock.advance(1_000);
    const laptop = await h.login(customer.username, customer.password);
    const list = await bankingChecked(h, laptop, 'GET', '/v1/banking/sessions');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data.map((s: { current: boolean }) => s.current)).toEqual([true, false]);
    expect(JSON.stringify(list.body)).not.toContain(phone);
    const phoneId = list.body.data[1].id;

    const revoked = await bankingChecked(h, laptop, 'DELETE', `/v1/banking/sessions/${phoneId}`);
    expect(revoked.status).toBe(204);
    expect((await h.banking(phone, 'GET', '/v1/banking/cards')).status).toBe(401);
    expect((await h.banking(laptop, 'GET', '/v1/banking/cards')).status).toBe(200);
    const again = await bankingChecked(h, laptop, 'DELETE', `/v1/banking/sessions/${phoneId}`);
    expect(again.status).toBe(404);
    const audit = await h.deps.handle.db.selectFrom('audit_log').select('action').where('subject', '=', phoneId).execute();
    expect(audit.map((a) => a.action)).toEqual(['session.created', 'session.revoked']);
  });

  it("another customer's session is 404 and stays alive", async () => {
    const alice = await h.createCustomer();
    const mallory = await h.createCustomer();
    const aliceToken = await h.login(alice.username, alice.password);
    const malloryToken = await h.login(mallory.username, mallory.password);
    const aliceSession = (await h.banking(aliceToken, 'GET', '/v1/banking/sessions')).body.data[0].id;
    const res = await bankingChecked(h, malloryToken, 'DELETE', `/v1/banking/sessions/${aliceSession}`);
    expect(res.status).toBe(404);
    expect((await h.banking(aliceToken, 'GET', '/v1/banking/cards')).status).toBe(200);
  });
});
});
