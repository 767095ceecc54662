// The authorization fast path (src/http/network/authorization-fast-path.ts) answers over real HTTP
// exactly as the hono app does in process — same status, headers and body — and hands everything it
// does not take to the app: refusals keep their single implementation.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { AUTHORIZATIONS_PATH, requestIdFor } from '../../src/http/network/authorization-fast-path.js';
import { forEachBackend } from '../support/backends.js';
import { NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';
import { serverCardholder, startTestServer, webPurchase, type TestServer } from '../support/server.js';

interface Answer { status: number; headers: Record<string, string>; body: Record<string, unknown> }

function signed(raw: string, o: { path?: string; secret?: string; headers?: Record<string, string> } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json', 'x-key-id': NETWORK_KEY_ID, 'x-timestamp': timestamp,
    'x-signature': signNetworkRequest(o.secret ?? NETWORK_SECRET, timestamp, 'POST', o.path ?? AUTHORIZATIONS_PATH, raw),
    ...o.headers,
  };
}

async function toAnswer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : {} };
}

/** Over the wire: the server's listener, fast path first. */
async function wire(server: TestServer, raw: string, headers: Record<string, string>, path = AUTHORIZATIONS_PATH): Promise<Answer> {
  return toAnswer(await fetch(server.url + path, { method: 'POST', body: raw, headers }));
}

/** In process: the hono app alone, as the in-process test harness drives it. */
async function inApp(server: TestServer, raw: string, headers: Record<string, string>): Promise<Answer> {
  return toAnswer(await createApp(server.deps).request(AUTHORIZATIONS_PATH, { method: 'POST', body: raw, headers }));
}

/** Headers that must differ between two answers (or that node adds on the wire only). */
const PER_ANSWER = new Set(['x-request-id', 'date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const comparable = (a: Answer) => ({
  status: a.status,
  headers: Object.fromEntries(Object.entries(a.headers).filter(([name]) => !PER_ANSWER.has(name))),
  body: Object.fromEntries(Object.entries(a.body).filter(([name]) => !['authorizationId', 'authCode', 'requestId'].includes(name))),
});

forEachBackend((backend) => {
  let server: TestServer;
  let holder: Awaited<ReturnType<typeof serverCardholder>>;
  beforeAll(async () => {
    server = await startTestServer(backend);
    holder = await serverCardholder(server, 100_000);
  });
  afterAll(() => server.close());

  describe('the authorization fast path', () => {
    it('answers approvals, declines, replays and duplicate transmissions as the app does', async () => {
      const before = server.fastPath.answered;
      const approved = webPurchase(holder, 1_500);
      const chip = { ...webPurchase(holder, 1_500), posEntryMode: '051' };
      const cases = [
        approved,
        chip,
        { ...webPurchase(holder, 1_500), cvv2: holder.cvv2 === '000' ? '001' : '000' },
        { ...webPurchase(holder, 1_500), pan: '4000000000000002' },
      ];
      for (const request of cases) {
        const fast = await wire(server, JSON.stringify(request), signed(JSON.stringify(request)));
        const twin = { ...request, stan: String((Number(request.stan) + 500_000) % 1_000_000).padStart(6, '0') };
        const app = await inApp(server, JSON.stringify(twin), signed(JSON.stringify(twin)));
        expect(fast.status).toBe(200);
        expect(comparable(fast)).toEqual(comparable(app));
        expect(fast.headers['content-type']).toBe('application/json');
        expect(fast.headers['strict-transport-security']).toContain('max-age=');
        expect(fast.headers['cache-control']).toBe('no-store');
      }
      // The same request again is a replay with the same answer; another amount under its key is 94.
      const first = await wire(server, JSON.stringify(approved), signed(JSON.stringify(approved)));
      expect(first.body).toMatchObject({ responseCode: '00' });
      const replay = await wire(server, JSON.stringify(approved), signed(JSON.stringify(approved)));
      expect(replay.body).toEqual(first.body);
      const changed = { ...approved, amount: 1_600 };
      const duplicate = await wire(server, JSON.stringify(changed), signed(JSON.stringify(changed)));
      expect(duplicate.body).toMatchObject({ responseCode: '94', reason: 'duplicate_transmission', authorizationId: first.body.authorizationId });
      expect(server.fastPath.answered - before).toBe(cases.length + 3);
    });

    it('hands every refusal to the app, which answers it as it always does', async () => {
      const request = webPurchase(holder, 1_000);
      const raw = JSON.stringify(request);
      const refusals: Array<{ raw: string; headers: Record<string, string>; status: number; code: string }> = [
        { raw, headers: signed(raw, { secret: 'not-the-secret' }), status: 401, code: 'invalid_signature' },
        { raw, headers: { ...signed(raw), 'x-signature': '' }, status: 401, code: 'invalid_signature' },
        { raw: '{"mti":', headers: signed('{"mti":'), status: 400, code: 'invalid_json' },
        { raw: JSON.stringify({ ...request, pan: undefined }), headers: signed(JSON.stringify({ ...request, pan: undefined })), status: 400, code: 'validation_error' },
        { raw, headers: { ...signed(raw), 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
        { raw: ' '.repeat(70_000), headers: signed(' '.repeat(70_000)), status: 413, code: 'payload_too_large' },
      ];
      for (const r of refusals) {
        const before = server.fastPath.answered;
        const fast = await wire(server, r.raw, r.headers);
        expect(server.fastPath.answered).toBe(before);
        expect(fast).toMatchObject({ status: r.status, body: { code: r.code } });
        expect(fast.headers['content-type']).toBe('application/problem+json');
        expect(comparable(fast)).toEqual(comparable(await inApp(server, r.raw, r.headers)));
      }
      const format = await wire(server, refusals[3].raw, refusals[3].headers);
      expect(format.body).toMatchObject({ responseCode: '30', reason: 'format_error' });
    });

    it('leaves chunked bodies and other URLs to the app, which still authorizes them', async () => {
      const before = server.fastPath.answered;
      const request = webPurchase(holder, 1_000);
      const raw = JSON.stringify(request);
      const chunked = await new Promise<Answer>((resolve, reject) => {
        const req = httpRequest(server.url + AUTHORIZATIONS_PATH, { method: 'POST', headers: signed(raw) }, (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.write(raw.slice(0, 10));
        req.end(raw.slice(10)); // no Content-Length: sent chunked
      });
      expect(chunked).toMatchObject({ status: 200, body: { responseCode: '00' } });
      const other = webPurchase(holder, 1_000);
      const query = await wire(server, JSON.stringify(other), signed(JSON.stringify(other)), `${AUTHORIZATIONS_PATH}?via=query`);
      expect(query).toMatchObject({ status: 200, body: { responseCode: '00' } });
      expect(server.fastPath.answered).toBe(before);
    });

    it('echoes a plain X-Request-Id, replaces any other, and logs one line per request without the PAN', async () => {
      const request = webPurchase(holder, 1_000);
      const raw = JSON.stringify(request);
      const mine = await wire(server, raw, signed(raw, { headers: { 'x-request-id': 'shop-42_retry=1' } }));
      expect(mine.headers['x-request-id']).toBe('shop-42_retry=1');
      const other = webPurchase(holder, 1_000);
      const odd = await wire(server, JSON.stringify(other), signed(JSON.stringify(other), { headers: { 'x-request-id': 'has space' } }));
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the log sink is a stream
      const line = server.logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'shop-42_retry=1');
      expect(line).toMatchObject({ msg: 'request', method: 'POST', route: AUTHORIZATIONS_PATH, status: 200 });
      expect(server.logLines.join('\n')).not.toContain(holder.pan);
    });
  });
});

describe('requestIdFor (hono requestId rule)', () => {
  it('keeps short plain ids and replaces the rest', () => {
    expect(requestIdFor('abc-DEF_1=')).toBe('abc-DEF_1=');
    for (const bad of [undefined, '', 'a b', 'a/b', 'x'.repeat(256), 'é']) {
      const id = requestIdFor(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(requestIdFor('x'.repeat(255))).toBe('x'.repeat(255));
  });
});

describe('an engine failure on the fast path', () => {
  it('is a 500 problem document with the request id, logged, and nothing of the card in it', async () => {
    const server = await startTestServer('sqlite');
    try {
      const holder = await serverCardholder(server, 100_000);
      await server.deps.handle.db.schema.dropTable('ledger_transfers').execute(); // an approval writes its hold there
      const request = webPurchase(holder, 1_000);
      const raw = JSON.stringify(request);
      const before = server.fastPath.answered;
      const answer = await wire(server, raw, signed(raw));
      expect(server.fastPath.answered).toBe(before + 1);
      expect(answer.status).toBe(500);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'internal_error', status: 500, requestId: answer.headers['x-request-id'] });
      expect(JSON.stringify(answer)).not.toContain(holder.pan);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const logged = server.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
      expect(logged).toMatchObject({ requestId: answer.headers['x-request-id'] });
      const stored = await server.deps.handle.db.selectFrom('authorizations').select('id').where('account_id', '=', holder.accountId).execute();
      expect(stored).toHaveLength(0); // the failed unit was rolled back
    } finally {
      await server.close();
    }
  });
});
