// SPEC §6: every network request is signed; anything else is a 401 problem and stores nothing.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { Harness, NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  const PATH = '/v1/network/authorizations';
  const count = () => h.countRows('authorizations', 'ledger_transfers', 'reversals');
  let before: number[];
  beforeEach(async () => { before = await count(); });

  async function expect401(res: Awaited<ReturnType<Harness['request']>>) {
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_signature' });
    expect(res.body.type).toEqual(expect.any(String));
    expect(res.body.title).toEqual(expect.any(String));
    expect(res.body.detail).toEqual(expect.any(String));
    expect(await count()).toEqual(before);
  }

  const raw = () => JSON.stringify(h.purchase(holder, { amount: 1_000 }));

  describe('signature failures → 401, nothing stored', () => {
    it('a correctly signed request is accepted (the baseline the failures differ from)', async () => {
      const res = await h.network(PATH, undefined, { raw: raw() });
      expect(res.status).toBe(200);
      expect(res.body.responseCode).toBe('00');
    });

    it.each(['x-key-id', 'x-timestamp', 'x-signature'])('missing %s', async (header) => {
      const body = raw();
      const headers: Record<string, string> = { 'content-type': 'application/json', ...h.signedHeaders('POST', PATH, body) };
      delete headers[header];
      await expect401(await h.request('POST', PATH, { raw: body, headers }));
    });

    it('no signature headers at all', async () => {
      await expect401(await h.request('POST', PATH, { raw: raw(), headers: { 'content-type': 'application/json' } }));
    });

    it('wrong secret', async () => {
      await expect401(await h.network(PATH, undefined, { raw: raw(), secret: 'not-the-secret-0123456789abcdef' }));
    });

    it('tampered body (signed one amount, sent another)', async () => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('POST', PATH, body) };
      const tampered = body.replace('"amount":1000', '"amount":1');
      expect(tampered).not.toBe(body);
      await expect401(await h.request('POST', PATH, { raw: tampered, headers }));
    });

    it('whitespace added to the body breaks the signature too (rawBody is signed as sent)', async () => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('POST', PATH, body) };
      await expect401(await h.request('POST', PATH, { raw: `${body} `, headers }));
    });

    it('signed for another path', async () => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('POST', '/v1/network/reversals', body) };
      await expect401(await h.request('POST', PATH, { raw: body, headers }));
    });

    it('signed for another method', async () => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('PUT', PATH, body) };
      await expect401(await h.request('POST', PATH, { raw: body, headers }));
    });

    it('unknown key id', async () => {
      await expect401(await h.network(PATH, undefined, { raw: raw(), keyId: 'net_nobody', secret: NETWORK_SECRET }));
    });

    it('signature in another encoding (uppercase hex is the same bytes; base64 is not accepted)', async () => {
      const body = raw();
      const headers = h.signedHeaders('POST', PATH, body);
      const base64 = Buffer.from(headers['x-signature'], 'hex').toString('base64');
      await expect401(await h.request('POST', PATH, { raw: body, headers: { 'content-type': 'application/json', ...headers, 'x-signature': base64 } }));
    });

    it.each([301, -301, 3600, -86_400])('timestamp %i s away from now (replay window ±300 s)', async (offset) => {
      const timestamp = Math.floor(h.clock.now() / 1000) + offset;
      await expect401(await h.network(PATH, undefined, { raw: raw(), timestamp }));
    });

    it.each(['abc', '1.5', '', '-1'])('timestamp %j is not unix seconds', async (timestamp) => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('POST', PATH, body), 'x-timestamp': timestamp };
      await expect401(await h.request('POST', PATH, { raw: body, headers }));
    });

    it('a replayed request is refused once its timestamp leaves the window', async () => {
      const body = raw();
      const headers = { 'content-type': 'application/json', ...h.signedHeaders('POST', PATH, body) };
      const first = await h.request('POST', PATH, { raw: body, headers });
      expect(first.status).toBe(200);
      before = await count();
      h.clock.advance(301_000);
      await expect401(await h.request('POST', PATH, { raw: body, headers }));
    });

    it.each([300, -300])('timestamp exactly %i s away is still inside the window', async (offset) => {
      const timestamp = Math.floor(h.clock.now() / 1000) + offset;
      const res = await h.network(PATH, undefined, { raw: raw(), timestamp });
      expect(res.status).toBe(200);
    });

    it('reversals are signed too', async () => {
      const body = JSON.stringify({ authorizationId: 'auth_x', stan: '000001', transmissionTime: '2026-11-23T09:00:00Z' });
      const res = await h.request('POST', '/v1/network/reversals', { raw: body, headers: { 'content-type': 'application/json', 'x-key-id': NETWORK_KEY_ID } });
      await expect401(res);
    });
  });
});
