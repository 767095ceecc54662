// Attacks on the refusal of text no field can store (http/middleware/storable-text.ts, the network
// schemas, docs/decisions/0030): U+0000, which PostgreSQL's text cannot hold, and an unpaired
// surrogate, which PostgreSQL stores as U+FFFD where SQLite keeps other bytes. An outsider tries to
// get either stored, or the check to answer wrongly, by every way a body or a path comes in: JSON
// under every content type and escape trick, JSON sent as text or a form, multipart forms (and
// their base64 parts), nesting deep enough to break a recursive walk, paths that look like the
// network API's, every method, the network API's clearing records and 3-D Secure read, and ISO
// 8583's bytes. Each: 400 (or the route's own answer), never a 500, nothing stored; legitimate text
// is stored and read back as sent on both backends.
import { describe, expect, it } from 'vitest';
import { IsoFormatError, pack, unpack } from '../../src/iso8583/codec.js';
import { forEachBackend } from '../support/backends.js';
import { ADMIN_KEY, type Harness } from '../support/harness.js';
import { threeDsRequest } from '../support/three-ds.js';
import { useHarness } from '../support/use-harness.js';

const SURROGATE = 'must not contain an unpaired surrogate';
const NUL = 'must not contain U+0000';
const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };

type Answer = Awaited<ReturnType<Harness['request']>>;

/** A body as bytes, with exactly the headers given (no content type unless one is given). */
async function sendBytes(h: Harness, method: string, path: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await h.app.request(path, { method, body: new Uint8Array(bytes), headers });
  const text = await res.text();
  let body: any;
  try { body = JSON.parse(text); } catch { /* a page */ }
  return { status: res.status, headers: res.headers, text, body };
}

/** A multipart/form-data body; a part may carry its own headers (Content-Transfer-Encoding). */
function multipart(parts: Array<[name: string, value: string, headers?: string]>) {
  const boundary = 'xYzBoundary0123';
  const raw = parts.map(([name, value, headers]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n${headers ? `${headers}\r\n` : ''}\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
  return { raw, type: `multipart/form-data; boundary=${boundary}` };
}

/** Counters keyed by a username: what a refused sign-in must not leave behind. */
async function loginUserBuckets(h: Harness): Promise<string[]> {
  const rows = await h.deps.handle.db.selectFrom('rate_limits').select('bucket').where('bucket', 'like', 'login-user:%').execute();
  return rows.map((r) => r.bucket).sort();
}

async function storedKeyName(h: Harness, id: string): Promise<string | undefined> {
  return (await h.deps.handle.db.selectFrom('staff_keys').select('name').where('id', '=', id).executeTakeFirst())?.name;
}

const keyBody = (nameJson: string) => `{"name":${nameJson},"role":"auditor"}`;

forEachBackend((backend) => {
  const h = useHarness(backend);
  const postJson = (raw: string, type = 'application/json', path = '/v1/admin/keys', method = 'POST') =>
    h.request(method, path, { raw, headers: { 'content-type': type, ...ADMIN } });

  describe(`JSON bodies (${backend})`, () => {
    it('every JSON content type is checked: charset, upper case, +json suffixes, spaces; nothing stored', async () => {
      const before = await h.countRows('staff_keys', 'audit_log');
      const types = ['application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json ; charset=UTF-8', 'application/vnd.api+json',
        'application/merge-patch+json', 'application/json;charset=utf-16'];
      for (const type of types) {
        const res = await postJson(keyBody('"type \\uD800"'), type);
        expect(res.status, `${type}: ${res.text}`).toBe(400);
        expect(res.body.errors).toEqual([{ path: 'name', message: SURROGATE }]);
      }
      expect(await h.countRows('staff_keys', 'audit_log')).toEqual(before);
    });

    it('escape tricks are read as JSON reads them: an escaped backslash before a real escape, any hex case, the end of a string, reversed and split pairs, the last of duplicate keys, a BOM, __proto__', async () => {
      const before = await h.countRows('staff_keys', 'audit_log');
      const cases: Array<[raw: string, path: string]> = [
        [keyBody('"a\\\\\\ud800"'), 'name'], // a backslash, then a real \ud800
        [keyBody('"a\\\\\\\\\\udBfF"'), 'name'], // two backslashes, then a real \udbff
        [keyBody('"ends high \\ud83d"'), 'name'],
        [keyBody('"\\uDCB3\\uD83D reversed"'), 'name'],
        [keyBody('"high \\ud83d then a space \\udcb3"'), 'name'],
        ['{"name":"ok","role":"auditor","\\ud83d":"\\udcb3"}', '\ud83d'], // a pair split across key and value
        ['{"name":"ok","role":"auditor","x":["\\ud83d","\\udcb3"]}', 'x.0'], // split across two strings
        ['{"name":"first is fine","name":"\\ud800","role":"auditor"}', 'name'], // JSON.parse keeps the last
        [` \n\t${keyBody('"\\ud800"')}\r\n `, 'name'],
        ['{"name":"ok","role":"auditor","__proto__":{"\\udfff":1}}', '__proto__.\udfff'],
      ];
      // BOMs before the JSON: the body's reading drops what it drops (undici: two), and what is
      // left is JSON (refused here) or not (the route's invalid_json) for the check and the route alike.
      for (const boms of [1, 2, 3]) {
        const raw = '\ufeff'.repeat(boms) + keyBody('"\\ud800"');
        let parses = true;
        try { JSON.parse(await new Request('http://localhost/', { method: 'POST', body: raw }).text()); } catch { parses = false; }
        cases.push([raw, parses ? 'name' : '']);
      }
      for (const [raw, path] of cases) {
        const res = await postJson(raw);
        expect(res.status, `${raw}: ${res.text}`).toBe(400);
        if (path) expect(res.body.errors, raw).toEqual([{ path, message: SURROGATE }]);
        else expect(res.body.code, raw).toBe('invalid_json');
      }
      expect(cases.filter(([, path]) => path === '').length, 'some BOM count leaves no JSON').toBeGreaterThan(0);
      expect(await h.countRows('staff_keys', 'audit_log')).toEqual(before);
    });

    it('takes and stores as sent: escaped and raw pairs, an escaped backslash before "ud800", a lone escape in a duplicate key JSON drops', async () => {
      const cases: Array<[raw: string, name: string]> = [
        [keyBody('"escaped pair \\ud83d\\udcb3 and \\uD83D\\uDE00"'), 'escaped pair 💳 and 😀'],
        [keyBody('"raw pair 💳👩🏽‍💻"'), 'raw pair 💳👩🏽‍💻'],
        [keyBody('"back\\\\ud800slash \\\\\\\\ud800"'), 'back\\ud800slash \\\\ud800'],
        ['{"name":"\\ud800 dropped","name":"kept","role":"auditor"}', 'kept'],
      ];
      for (const [raw, name] of cases) {
        const res = await postJson(raw);
        expect(res.status, `${raw}: ${res.text}`).toBe(200);
        expect(res.body.name).toBe(name);
        expect(await storedKeyName(h, res.body.id)).toBe(name);
      }
    });

    it('bytes that are not UTF-8 (a surrogate encoded as bytes, CESU-8) are U+FFFD when read, the same on both backends', async () => {
      const lone = Buffer.concat([Buffer.from('{"name":"bytes '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","role":"auditor"}')]);
      const res = await sendBytes(h, 'POST', '/v1/admin/keys', lone, { 'content-type': 'application/json', ...ADMIN });
      expect(res.status, res.text).toBe(200);
      expect(await storedKeyName(h, res.body.id)).toBe('bytes \ufffd\ufffd\ufffd');
    });

    it('nesting deep enough to overflow a recursive walk is answered (400 naming the place, or the route\'s answer), not a 500', async () => {
      const depth = 20_000;
      const before = await h.countRows('staff_keys', 'audit_log');
      const lone = await postJson('['.repeat(depth) + '"\\ud800"' + ']'.repeat(depth));
      expect(lone.status, lone.text.slice(0, 300)).toBe(400);
      expect(lone.body.errors).toEqual([{ path: Array(depth).fill('0').join('.'), message: SURROGATE }]);
      // Unauthenticated: the check runs before any credential is looked at.
      const anyone = await h.request('POST', '/v1/admin/keys', { raw: `{"x":${'['.repeat(depth)}"\\ud83d\\udcb3"${']'.repeat(depth)}}` });
      expect(anyone.status, anyone.text.slice(0, 300)).toBe(401);
      expect(await h.countRows('staff_keys', 'audit_log')).toEqual(before);
      // A deep member the schema does not name is ignored; the pair elsewhere is taken.
      const deep = await postJson(`{"name":"deep \\ud83d\\udcb3","role":"auditor","nested":${'['.repeat(depth)}1${']'.repeat(depth)}}`);
      expect(deep.status, deep.text.slice(0, 300)).toBe(200);
      expect(await storedKeyName(h, deep.body.id)).toBe('deep 💳');
    });

    it('every way to spell an admin path, and every method with a body, is checked; nothing stored', async () => {
      const before = await h.countRows('staff_keys', 'audit_log');
      for (const path of ['/v1/network/../admin/keys', '/v1/network/%2e%2e/admin/keys', '/v1/network/./../admin/keys', '//v1/admin/keys',
        '/v1/admin/keys/', '/v1/%61dmin/keys', '/v1/admin%2Fkeys', '/v1/network%2F..%2Fadmin/keys', '/V1/ADMIN/KEYS']) {
        const res = await postJson(keyBody('"path \\ud800"'), 'application/json', path);
        expect(res.status, `${path}: ${res.text}`).toBe(400);
        expect(res.body.errors, path).toEqual([{ path: 'name', message: SURROGATE }]);
      }
      for (const [method, path] of [['PUT', '/v1/admin/products/internet-shopping'], ['PATCH', '/v1/admin/keys'], ['DELETE', '/v1/admin/keys/key_none'],
        ['PUT', '/v1/admin/fx-rates/USD']]) {
        const res = await postJson('{"name":"\\udc00","rate":"0.3"}', 'application/json', path, method);
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
        expect(res.body.errors).toEqual([{ path: 'name', message: SURROGATE }]);
      }
      expect(await h.countRows('staff_keys', 'audit_log')).toEqual(before);
    });
  });

  describe(`bodies that are not JSON by their content type (${backend})`, () => {
    it('a JSON sign-in sent as text, as a form or with no content type is the route\'s to refuse (415): it keys no counter, never a 500', async () => {
      const before = await loginUserBuckets(h);
      for (const username of ['nul\\u0000user', 'lone\\ud800user', 'low\\udc00user']) {
        const raw = `{"username":"${username}","password":"correct horse battery"}`;
        const answers = [
          await h.request('POST', '/v1/banking/sessions', { raw, headers: { 'content-type': 'text/plain' } }),
          await h.request('POST', '/v1/banking/sessions', { raw, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
          await sendBytes(h, 'POST', '/v1/banking/sessions', Buffer.from(raw)),
        ];
        for (const res of answers) {
          expect(res.status, `${username}: ${res.text}`).toBe(415);
          expect(res.body.code).toBe('unsupported_media_type');
        }
      }
      expect(await loginUserBuckets(h)).toEqual(before);
    });

    it('a multipart form carrying U+0000, raw or in a base64 part, is a 400 naming the field; nothing stored', async () => {
      const before = await loginUserBuckets(h);
      const forms = [
        multipart([['username', 'raw\u0000nul'], ['password', 'x']]),
        multipart([['username', Buffer.from('b64\u0000nul').toString('base64'), 'Content-Transfer-Encoding: base64'], ['password', 'x']]),
      ];
      for (const form of forms) {
        const res = await h.request('POST', '/login', { raw: form.raw, headers: { 'content-type': form.type } });
        expect(res.status, res.text.slice(0, 300)).toBe(400);
        expect(res.body.errors).toEqual([{ path: 'username', message: NUL }]);
      }
      expect(await loginUserBuckets(h)).toEqual(before);
    });

    it('a multipart form is not read as a URL: "%00" typed in it is text, and signs in', async () => {
      const password = 'correct horse %00 battery';
      const customer = await h.createCustomer({ password });
      const form = multipart([['username', customer.username], ['password', password]]);
      const res = await h.request('POST', '/login', { raw: form.raw, headers: { 'content-type': form.type } });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
    });

    it('a multipart body that does not parse is a 400, not a 500', async () => {
      const res = await h.request('POST', '/login', { raw: '--xYzBoundary0123\r\nContent-Disp', headers: { 'content-type': 'multipart/form-data; boundary=xYzBoundary0123' } });
      expect(res.status, res.text.slice(0, 300)).toBe(400);
    });

    it('a url-encoded form: %00 is a 400; bytes that are not UTF-8 are U+FFFD, not a surrogate', async () => {
      const before = await loginUserBuckets(h);
      const nul = await h.request('POST', '/login', { raw: 'username=a%00b&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(nul.status, nul.text.slice(0, 300)).toBe(400);
      expect(await loginUserBuckets(h)).toEqual(before);
      const bytes = await h.request('POST', '/login', { raw: 'username=cesu%ED%A0%80&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(bytes.status, bytes.text.slice(0, 300)).toBe(401);
      expect(await loginUserBuckets(h)).toEqual([...before, 'login-user:cesu\ufffd\ufffd\ufffd'].sort());
    });
  });

  describe(`cookies (${backend})`, () => {
    it('U+0000 or a lone surrogate\'s bytes percent-encoded in a cookie are no credential, never a 500: a session token is hashed, a pending sign-in unsealed', async () => {
      const answers: Array<[string, number, number]> = [];
      for (const [method, path, cookie, status] of [
        ['GET', '/v1/banking/cards', 'isc_session=%00', 401], ['GET', '/v1/banking/cards', 'isc_session=%ED%A0%80', 401],
        ['GET', '/', 'isc_session=a%00; isc_lang=%00', 303], ['GET', '/login/code', 'isc_login=%00.%00', 303],
      ] as const) {
        const res = await h.request(method, path, { headers: { cookie } });
        answers.push([`${method} ${path} ${cookie}`, res.status, status]);
      }
      const code = await h.request('POST', '/login/code', { raw: 'otp=123456', headers: { cookie: 'isc_login=a%00.b%00', 'content-type': 'application/x-www-form-urlencoded' } });
      answers.push(['POST /login/code', code.status, 303]);
      expect(answers.map(([what, status]) => [what, status])).toEqual(answers.map(([what, , status]) => [what, status]));
    });
  });

  describe(`the network API (${backend})`, () => {
    it('a clearing record with U+0000 or an unpaired surrogate in its free text is rejected (30) alone; two acquirer ids differing there are not one record', async () => {
      const holder = await h.cardholder();
      const base = { pan: holder.pan, acquirerId: '412345', amount: 100, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'Shop' };
      const clearingsBefore = Number((await h.deps.handle.db.selectFrom('clearings').select(h.deps.handle.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const bad = [
        { ...base, rrn: 'SURR00000001', acquirerId: 'A\ud800' },
        { ...base, rrn: 'SURR00000001', acquirerId: 'A\udc00' },
        { ...base, rrn: 'SURR00000002', merchantName: 'Shop \ud800' },
        { ...base, rrn: 'SURR00000003', merchantName: 'Shop \u0000' },
        { ...base, rrn: 'SURR00000004', acquirerId: 'A\u0000' },
        { ...base, rrn: 'SURR00000005', processingCode: '200000', merchantName: 'Refund \udfff' },
      ];
      const res = await h.network('/v1/network/clearings', { records: bad });
      expect(res.status, res.text).toBe(200);
      expect(res.body.results).toEqual(bad.map((_, index) => ({ index, status: 'rejected', code: '30' })));
      const clearingsAfter = Number((await h.deps.handle.db.selectFrom('clearings').select(h.deps.handle.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(clearingsAfter).toBe(clearingsBefore);
      const good = await h.network('/v1/network/clearings', { records: [{ ...base, rrn: 'SURR00000006', merchantName: 'Shop 💳 «الخليج» back\\ud800' }] });
      expect(good.body.results[0].status, good.text).toBe('posted_unmatched');
      const stored = await h.deps.handle.db.selectFrom('clearings').select('merchant_name').where('id', '=', good.body.results[0].transactionId).executeTakeFirst();
      expect(stored?.merchant_name).toBe('Shop 💳 «الخليج» back\\ud800');
    });

    it('every free-text field of an authorization, advice, reversal and 3-D Secure start refuses an unpaired surrogate (400, 30); nothing stored', async () => {
      const holder = await h.cardholder();
      const before = await h.countRows('authorizations', 'reversals', 'reversal_advices', 'audit_log');
      const fields = ['acquirerId', 'merchantId', 'merchantName', 'terminalId', 'terminalType', 'cavv', 'initialTransactionId'];
      const answers: Array<[string, Answer]> = [];
      for (const field of fields) {
        answers.push([`authorization ${field}`, await h.authorize(holder, { [field]: `x\udbff` })]);
        answers.push([`advice ${field}`, await h.network('/v1/network/authorization-advices', { ...h.purchase(holder, { [field]: `\udc00x` }), mti: '0120' })]);
      }
      const reversal = { stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() };
      answers.push(['reversal authorizationId', await h.network('/v1/network/reversals', { ...reversal, authorizationId: 'auth_\ud800' })]);
      answers.push(['reversal acquirerId', await h.network('/v1/network/reversals', { ...reversal, acquirerId: '\ud800', rrn: '633000000001' })]);
      answers.push(['reversal advice', await h.network('/v1/network/reversal-advices', { ...reversal, authorizationId: 'auth_\udfff' })]);
      for (const field of ['merchantId', 'merchantName']) {
        answers.push([`3ds ${field}`, await h.network('/v1/network/3ds/authentications', threeDsRequest(holder, { [field]: 'x\ud800' }))]);
      }
      for (const [what, res] of answers) {
        expect(res.status, `${what}: ${res.text}`).toBe(400);
        expect(res.body.responseCode, what).toBe('30');
      }
      expect(await h.countRows('authorizations', 'reversals', 'reversal_advices', 'audit_log')).toEqual(before);
    });

    it('reading a 3-D Secure authentication by an id holding U+0000 is malformed (400, 30), not a 500', async () => {
      const res = await h.request('GET', '/v1/network/3ds/authentications/%00', { headers: h.signedHeaders('GET', '/v1/network/3ds/authentications/\u0000', '') });
      expect(res.status, res.text).toBe(400);
      expect(res.body.responseCode).toBe('30');
    });
  });
});

describe('ISO 8583 text fields', () => {
  const message = () => ({ mti: '0100', fields: new Map<number, string | Buffer>([[3, '000000'], [43, 'Gulf Books Online'.padEnd(38) + 'KW']]) });

  it('packs only printable ASCII: U+0000, a surrogate and any other non-ASCII are refused', () => {
    for (const bad of ['Gulf\u0000', 'Gulf\ud800', 'Gulf 💳', 'Gulf\u00e9']) {
      const m = message();
      m.fields.set(43, bad.padEnd(40));
      expect(() => pack(m), bad).toThrow(/DE 43 must be ans/);
    }
  });

  it('unpacks only printable ASCII: a 0x00 byte or a UTF-8 byte in a text field is a format error', () => {
    const bytes = pack(message());
    expect(unpack(bytes).message.fields.get(43)).toBe('Gulf Books Online'.padEnd(38) + 'KW');
    const at = bytes.indexOf('Gulf');
    for (const byte of [0x00, 0xed, 0x80, 0x7f, 0x1f]) {
      const bad = Buffer.from(bytes);
      bad[at] = byte;
      expect(() => unpack(bad), `0x${byte.toString(16)}`).toThrow(IsoFormatError);
    }
  });
});
