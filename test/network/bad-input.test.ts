// Issue point 7 / SPEC §6: bad input gets a clear error and changes nothing. Malformed requests are
// 400 problems with responseCode "30" and field errors; big bodies 413; other content types 415;
// a well-formed zero or negative amount is a stored decline 13. Never a 500.
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  const PATH = '/v1/network/authorizations';
  const stored = () => h.countRows('authorizations', 'ledger_transfers');
  let before: number[];
  beforeEach(async () => { before = await stored(); });

  async function expectFormatError(res: Awaited<ReturnType<Harness['request']>>, path?: string) {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, responseCode: '30', reason: 'format_error' });
    expect(res.body.code).toMatch(/^(validation_error|invalid_json)$/);
    expect(res.body.errors).toEqual(expect.any(Array));
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const e of res.body.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
    if (path) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await stored()).toEqual(before);
  }

  const send = (body: Record<string, unknown>) => h.network(PATH, body);

  describe('400 format_error (responseCode 30)', () => {
    it('malformed JSON', async () => {
      await expectFormatError(await h.network(PATH, undefined, { raw: '{"mti":"0100",' }));
      await expectFormatError(await h.network(PATH, undefined, { raw: 'not json at all' }));
    });

    it('a JSON value that is not an object', async () => {
      for (const raw of ['[]', '"text"', '42', 'null']) await expectFormatError(await h.network(PATH, undefined, { raw }));
    });

    it('an empty body', async () => {
      await expectFormatError(await h.network(PATH, undefined, { raw: '' }));
    });

    it.each([
      'mti', 'pan', 'expiry', 'processingCode', 'amount', 'currency', 'transmissionTime', 'stan', 'rrn', 'mcc',
      'posEntryMode', 'posConditionCode', 'acquirerId', 'merchantId', 'merchantName', 'merchantCountry',
    ])('missing %s', async (field) => {
      const body = h.purchase(holder);
      delete (body as Record<string, unknown>)[field];
      await expectFormatError(await send(body), field);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['amount as a string', { amount: '10000' }, 'amount'],
      ['amount with a fraction', { amount: 100.5 }, 'amount'],
      ['amount beyond 12 digits', { amount: 1_000_000_000_000 }, 'amount'],
      ['amount null', { amount: null }, 'amount'],
      ['non-digit PAN', { pan: '4657 8100 0000 0000' }, 'pan'],
      ['letters in the PAN', { pan: '46578100000000AB' }, 'pan'],
      ['PAN as a number', { pan: 4657810000000000 }, 'pan'],
      ['PAN too long', { pan: '46578100000000000000' }, 'pan'],
      ['expiry not YYMM', { expiry: '11/29' }, 'expiry'],
      ['CVV2 with letters', { cvv2: '12a' }, 'cvv2'],
      ['processing code of 2 digits', { processingCode: '00' }, 'processingCode'],
      ['alphabetic currency', { currency: 'KWD' }, 'currency'],
      ['transmissionTime not ISO 8601', { transmissionTime: 'yesterday' }, 'transmissionTime'],
      ['stan of 5 digits', { stan: '12345' }, 'stan'],
      ['rrn of 11 chars', { rrn: '12345678901' }, 'rrn'],
      ['mcc with letters', { mcc: '57a2' }, 'mcc'],
      ['posEntryMode of 2 digits', { posEntryMode: '81' }, 'posEntryMode'],
      ['merchantCountry of 3 letters', { merchantCountry: 'KWT' }, 'merchantCountry'],
      ['pinPresent as a string', { pinPresent: 'true' }, 'pinPresent'],
      ['mti not 4 digits', { mti: '100' }, 'mti'],
      ['mti of another message (0200 financial request)', { mti: '0200' }, 'mti'],
      ['empty merchant name', { merchantName: '' }, 'merchantName'],
    ])('%s', async (_name, change, path) => {
      await expectFormatError(await send(h.purchase(holder, change)), path);
    });

    it('several bad fields are all reported', async () => {
      const res = await send(h.purchase(holder, { pan: 'x', amount: 'y', stan: 'z' }));
      await expectFormatError(res);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['pan', 'amount', 'stan']));
    });

    it('reversals: neither authorizationId nor acquirerId + rrn, or a negative replacement amount', async () => {
      const base = { stan: '000001', transmissionTime: '2026-11-23T09:00:00Z' };
      await expectFormatError(await h.network('/v1/network/reversals', base));
      await expectFormatError(await h.network('/v1/network/reversals', { ...base, authorizationId: 'auth_x', replacementAmount: -1 }), 'replacementAmount');
      await expectFormatError(await h.network('/v1/network/reversals', { ...base, authorizationId: 'auth_x', replacementAmount: 1.5 }), 'replacementAmount');
    });
  });

  describe('size and content type', () => {
    it('a body over 64 KiB is 413', async () => {
      const raw = JSON.stringify({ ...h.purchase(holder), padding: 'x'.repeat(64 * 1024) });
      const res = await h.network(PATH, undefined, { raw });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('payload_too_large');
      expect(await stored()).toEqual(before);
    });

    it('a body just under 64 KiB is read (and judged on its fields)', async () => {
      const body = h.purchase(holder, { amount: 100 });
      const raw = JSON.stringify({ ...body, merchantName: 'x'.repeat(64 * 1024 - JSON.stringify(body).length - 30) });
      expect(Buffer.byteLength(raw)).toBeLessThan(64 * 1024);
      const res = await h.network(PATH, undefined, { raw });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('merchantName');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('content type %s is 415', async (type) => {
      const raw = JSON.stringify(h.purchase(holder));
      const res = await h.request('POST', PATH, { raw, headers: { ...h.signedHeaders('POST', PATH, raw), 'content-type': type } });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('unsupported_media_type');
      expect(await stored()).toEqual(before);
    });

    it('no content type is 415', async () => {
      const raw = JSON.stringify(h.purchase(holder));
      // A byte body, so that nothing adds a content type on the way.
      const res = await h.app.request(PATH, { method: 'POST', body: new TextEncoder().encode(raw), headers: h.signedHeaders('POST', PATH, raw) });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.status).toBe(415);
      expect(await stored()).toEqual(before);
    });

    it('application/json with a charset is fine', async () => {
      const raw = JSON.stringify(h.purchase(holder, { amount: 100 }));
      const res = await h.request('POST', PATH, { raw, headers: { ...h.signedHeaders('POST', PATH, raw), 'content-type': 'application/json; charset=utf-8' } });
      expect(res.status).toBe(200);
    });
  });

  describe('well-formed but impossible amounts are decisions', () => {
    // Amount 0 on a purchase is an account verification (verification.test.ts); on a refund it is 13.
    it.each<[number, string]>([[0, '200000'], [-1, '000000'], [-999_999_999_999, '000000'], [-1, '200000']])('amount %i, processing code %s → 200, declined 13 invalid_amount, stored', async (amount, processingCode) => {
      const res = await send(h.purchase(holder, { amount, processingCode }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ responseCode: '13', approved: false, reason: 'invalid_amount' });
      expect(res.body.authCode).toBeUndefined();
      const [auths, transfers] = await stored();
      expect(auths).toBe(before[0] + 1);
      expect(transfers).toBe(before[1]);
    });
  });

  describe('what is not a format error', () => {
    it('an unknown field is ignored; a Luhn-failing or unknown 16-digit PAN is a stored decision 14', async () => {
      expect((await send(h.purchase(holder, { amount: 100, loyaltyNumber: 'X1' }))).body).toMatchObject({ responseCode: '00' });
      const res = await send(h.purchase(holder, { pan: '4657810000000001' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ responseCode: '14', reason: 'invalid_card' });
    });
  });

  describe('never a 500', () => {
    it('random JSON bodies get 200, 400 or 413 (fast-check)', async () => {
      const valid = h.purchase(holder);
      const field = fc.constantFrom(...Object.keys(valid), 'eci', 'cavv', 'terminalType', 'pinPresent', 'terminalId', 'extra');
      await fc.assert(fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.dictionary(field, fc.jsonValue(), { maxKeys: 6 }).map((changes) => JSON.stringify({ ...h.purchase(holder), ...changes })),
          fc.string().map((s) => `{"pan":${s}`),
        ),
        async (raw) => {
          const res = await h.network(PATH, undefined, { raw });
          expect([200, 400, 413]).toContain(res.status);
          if (res.status === 400) expect(res.body.responseCode).toBe('30');
        },
      ), { numRuns: 60 });
    });
  });
});
