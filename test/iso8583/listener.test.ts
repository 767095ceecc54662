// The ISO 8583 listener over a real TCP socket (port 0) against the Harness's service, on both
// backends: sign-on first, each message type, idempotency shared with the JSON API, pipelining,
// MAC failures, malformed, torn and abandoned frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationMessage, IsoClient } from '../../src/iso8583/client.js';
import { frame, pack, text, unpack, type FieldValue, type IsoMessage } from '../../src/iso8583/codec.js';
import { startIsoServer, type IsoServer } from '../../src/iso8583/server.js';
import { readSubelements, writeOriginalData, writeReplacementAmount, writeTransmissionTime } from '../../src/iso8583/subfields.js';
import { forEachBackend } from '../support/backends.js';
import { Harness, NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachBackend((backend) => {
  let h: Harness;
  let server: IsoServer;
  let card: { pan: string; expiry: string; cvv2: string };

  beforeAll(async () => {
    h = await Harness.create({ backend });
    server = await startIsoServer(h.deps, { port: 0, host: '127.0.0.1', maxConnections: 16, idleTimeoutMs: 60_000 });
    card = await h.cardholder(200_000);
  });
  afterAll(async () => {
    await server?.close(1_000);
    await h?.close();
  });

  /** A purchase as JSON, its time written as DE 7 reads back (to the second, Z). */
  const purchase = (overrides: Record<string, unknown> = {}) =>
    h.purchase(card, { transmissionTime: new Date(h.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), terminalId: 'T1', ...overrides }) as Parameters<typeof authorizationMessage>[0];

  async function signedOn(): Promise<IsoClient> {
    const client = await IsoClient.connect(server.port);
    const answer = await client.signOn(NETWORK_KEY_ID, NETWORK_SECRET, h.clock.now());
    expect(text(answer.message, 39)).toBe('00');
    return client;
  }

  const authorizationRow = (id: string) =>
    h.deps.handle.db.selectFrom('authorizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const authorizationIdOf = (m: IsoMessage) => readSubelements(text(m, 48)!).get('61');

  describe('sign-on', () => {
    it('nothing but a sign-on before it (91, no MAC); an unknown client or a bad MAC is 63', async () => {
      const client = await IsoClient.connect(server.port);
      const early = await client.request(authorizationMessage(purchase()));
      expect(early.message.mti).toBe('0110');
      expect(text(early.message, 39)).toBe('91');
      expect(early.message.fields.has(64)).toBe(false);
      const echo = await client.request({ mti: '0800', fields: new Map([[7, writeTransmissionTime(h.clock.now())], [11, client.nextStan()], [70, '301']]) });
      expect([echo.message.mti, text(echo.message, 39)]).toEqual(['0810', '91']);

      const unknown = await client.signOn('net_nobody', NETWORK_SECRET, h.clock.now());
      expect(text(unknown.message, 39)).toBe('63');
      const badMac = await client.signOn(NETWORK_KEY_ID, 'not-the-secret', h.clock.now());
      expect(text(badMac.message, 39)).toBe('63');
      expect(badMac.message.fields.has(128)).toBe(false);

      const ok = await client.signOn(NETWORK_KEY_ID, NETWORK_SECRET, h.clock.now());
      expect(ok.message.mti).toBe('0810');
      expect([...ok.message.fields.keys()]).toEqual([7, 11, 39, 70, 128]);
      expect(text(ok.message, 39)).toBe('00');
      expect(ok.macValid).toBe(true);
      await client.close();
    });

    it('echo (301) is answered 00 with a MAC; after sign-off (002) an authorization is 91 again', async () => {
      const client = await signedOn();
      const nm = (code: string): IsoMessage => ({ mti: '0800', fields: new Map([[7, writeTransmissionTime(h.clock.now())], [11, client.nextStan()], [70, code]]) });
      const echo = await client.request(nm('301'));
      expect([text(echo.message, 39), echo.macValid]).toEqual(['00', true]);
      const off = await client.request(nm('002'));
      expect([text(off.message, 39), off.macValid]).toEqual(['00', true]);
      const after = await client.request(authorizationMessage(purchase()));
      expect(text(after.message, 39)).toBe('91');
      await client.close();
    });
  });

  describe('authorization (0100 → 0110)', () => {
    it('approves with the fields SPEC §10 lists, stored like a JSON authorization', async () => {
      const client = await signedOn();
      const request = authorizationMessage(purchase({ amount: 12_500 }));
      const answer = await client.request(request);
      const m = answer.message;
      expect(m.mti).toBe('0110');
      expect(answer.macValid).toBe(true);
      expect(text(m, 39)).toBe('00');
      expect(text(m, 38)).toMatch(/^[0-9A-Z]{6}$/);
      expect(text(m, 6)).toBe('000000012500');
      expect(text(m, 51)).toBe('414');
      expect(text(m, 2)).toBe(`${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`);
      const sent = unpack(pack(request)).message;
      for (const de of [3, 4, 7, 11, 32, 37, 41, 42, 49]) expect(m.fields.get(de)).toEqual(sent.fields.get(de));
      expect([...m.fields.keys()]).toEqual([2, 3, 4, 6, 7, 11, 32, 37, 38, 39, 41, 42, 48, 49, 51, 64]);
      const row = await authorizationRow(authorizationIdOf(m)!);
      expect([row.network_client, row.hold_fils, row.status, row.auth_code]).toEqual([NETWORK_KEY_ID, 12_500, 'pending', text(m, 38)]);
      await client.close();
    });

    it('a channel decline: POS entry mode 051 (chip) is 57, no DE 38, stored as a decline', async () => {
      const client = await signedOn();
      const answer = await client.request(authorizationMessage(purchase({ posEntryMode: '051', posConditionCode: '00' })));
      expect(text(answer.message, 39)).toBe('57');
      expect(answer.message.fields.has(38)).toBe(false);
      const row = await authorizationRow(authorizationIdOf(answer.message)!);
      expect([row.reason, row.status]).toEqual(['channel_card_present', 'declined']);
      await client.close();
    });

    it('a repeat (0101) is answered 0110 with the first answer; nothing new is stored', async () => {
      const client = await signedOn();
      const request = authorizationMessage(purchase());
      const first = await client.request(request);
      const before = await h.countRows('authorizations', 'ledger_transfers');
      const repeat = await client.request({ ...request, mti: '0101' });
      expect(repeat.message.mti).toBe('0110');
      expect([text(repeat.message, 38), authorizationIdOf(repeat.message)]).toEqual([text(first.message, 38), authorizationIdOf(first.message)]);
      expect(await h.countRows('authorizations', 'ledger_transfers')).toEqual(before);
      await client.close();
    });

    it('JSON first, then the same request over ISO: the JSON answer; another amount under the same key is 94', async () => {
      const body = purchase({ amount: 3_000 });
      const json = await h.network('/v1/network/authorizations', body);
      expect(json.status).toBe(200);
      const client = await signedOn();
      const iso = await client.request(authorizationMessage({ ...body, merchantCity: 'Kuwait City' }));
      expect([text(iso.message, 39), text(iso.message, 38), authorizationIdOf(iso.message)])
        .toEqual([json.body.responseCode, json.body.authCode, json.body.authorizationId]);
      const changed = await client.request(authorizationMessage({ ...body, amount: 3_001 }));
      expect(text(changed.message, 39)).toBe('94');
      await client.close();
    });

    it('a request whose MAC does not verify is 63 and stores nothing', async () => {
      const client = await signedOn();
      const before = await h.countRows('authorizations', 'audit_log');
      const request = authorizationMessage(purchase());
      const bytes = pack(request, 'wrong-secret');
      const answered = client.answerTo(request);
      client.writeRaw(frame(bytes));
      const answer = await answered;
      expect(text(answer.message, 39)).toBe('63');
      expect(answer.macValid).toBe(true);
      const unsigned = await client.request(authorizationMessage(purchase()), { mac: false });
      expect(text(unsigned.message, 39)).toBe('63');
      expect(await h.countRows('authorizations', 'audit_log')).toEqual(before);
      await client.close();
    });

    it('a client bound to other acquirers is answered 03 on 0100, 0120 and 0400, and nothing is stored', async () => {
      const created = await h.admin('POST', '/v1/admin/network-clients', { name: 'switch B', acquirerIds: ['500001'] });
      const client = await IsoClient.connect(server.port);
      expect(text((await client.signOn(created.body.keyId, created.body.secret, h.clock.now())).message, 39)).toBe('00');
      const before = await h.countRows('authorizations', 'reversal_advices', 'audit_log');
      const foreign = authorizationMessage(purchase({ acquirerId: '600002' }));
      const answer = await client.request(foreign);
      expect([answer.message.mti, text(answer.message, 39), answer.macValid]).toEqual(['0110', '03', true]);
      const advice = { ...authorizationMessage(purchase({ acquirerId: '600002' })), mti: '0120' };
      expect(text((await client.request(advice)).message, 39)).toBe('03');
      const reversal = { mti: '0400', fields: new Map<number, FieldValue>([
        [7, writeTransmissionTime(h.clock.now())], [11, client.nextStan()], [32, '600002'],
        [90, writeOriginalData({ mti: '0100', stan: text(foreign, 11)!, transmission: text(foreign, 7)!, acquirerId: '600002' })]]) };
      expect(text((await client.request(reversal)).message, 39)).toBe('03');
      expect(await h.countRows('authorizations', 'reversal_advices', 'audit_log')).toEqual(before);
      const own = await client.request(authorizationMessage(purchase({ acquirerId: '500001', amount: 100 })));
      expect(text(own.message, 39)).toBe('00');
      await client.close();
    });

    it('pipelines 100 requests on one connection, each answered once', async () => {
      const client = await signedOn();
      const before = (await h.countRows('authorizations'))[0];
      const requests = Array.from({ length: 100 }, () => authorizationMessage(purchase({ amount: 100 })));
      const answers = requests.map((r) => client.answerTo(r));
      client.writeRaw(Buffer.concat(requests.map((r) => frame(pack(r, NETWORK_SECRET)))));
      const got = await Promise.all(answers);
      expect(got.every((a) => text(a.message, 39) === '00' && a.macValid)).toBe(true);
      expect(got.map((a, i) => text(a.message, 11) === text(requests[i], 11))).toEqual(requests.map(() => true));
      expect(new Set(got.map((a) => authorizationIdOf(a.message))).size).toBe(100);
      expect((await h.countRows('authorizations'))[0]).toBe(before + 100);
      await client.close();
    });
  });

  describe('reversal (0400 → 0410)', () => {
    const reversal = (client: IsoClient, original: IsoMessage, replacement?: number, mti = '0400'): IsoMessage => {
      const fields = new Map<number, FieldValue>([
        [7, writeTransmissionTime(h.clock.now())], [11, client.nextStan()], [32, text(original, 32)!],
        [90, writeOriginalData({ mti: original.mti, stan: text(original, 11)!, transmission: text(original, 7)!, acquirerId: text(original, 32)! })],
      ]);
      if (replacement !== undefined) fields.set(95, writeReplacementAmount(replacement));
      return { mti, fields };
    };

    it('partial then full, DE 90 alone naming the original; a repeat (0401) changes nothing; unknown is 25', async () => {
      const client = await signedOn();
      const original = authorizationMessage(purchase({ amount: 10_000 }));
      const approved = await client.request(original);
      const id = authorizationIdOf(approved.message)!;

      h.clock.advance(1_000);
      const partial = await client.request(reversal(client, original, 4_000));
      expect([partial.message.mti, text(partial.message, 39), authorizationIdOf(partial.message), partial.macValid]).toEqual(['0410', '00', id, true]);
      expect((await authorizationRow(id)).hold_fils).toBe(4_000);

      const again = reversal(client, original, 4_000);
      const repeat = await client.request({ ...again, mti: '0401' });
      expect([repeat.message.mti, text(repeat.message, 39)]).toEqual(['0410', '00']);
      expect((await authorizationRow(id)).hold_fils).toBe(4_000);

      const full = await client.request(reversal(client, original));
      expect(text(full.message, 39)).toBe('00');
      expect(await authorizationRow(id)).toMatchObject({ hold_fils: 0, status: 'reversed' });

      const unknown = authorizationMessage(purchase());
      const missing = await client.request(reversal(client, unknown));
      expect(text(missing.message, 39)).toBe('25');
      await client.close();
    });

    it('advices: 0120 → 0130 acknowledged with the network\'s decision held; 0420 → 0430 releases it; 0200 → 0210 is 12', async () => {
      const client = await signedOn();
      const adviceMessage = { ...authorizationMessage(purchase({ amount: 7_000 })), mti: '0120' };
      adviceMessage.fields.set(39, '00');
      adviceMessage.fields.set(38, 'ADV123');
      const advice = await client.request(adviceMessage);
      expect([advice.message.mti, text(advice.message, 39), advice.macValid]).toEqual(['0130', '00', true]);
      const adviceId = authorizationIdOf(advice.message)!;
      expect(await authorizationRow(adviceId)).toMatchObject({ hold_fils: 7_000, status: 'pending', auth_code: 'ADV123', source: 'advice' });

      h.clock.advance(1_000);
      const reversalAdvice = await client.request(reversal(client, adviceMessage, undefined, '0420'));
      expect([reversalAdvice.message.mti, text(reversalAdvice.message, 39)]).toEqual(['0430', '00']);
      expect(await authorizationRow(adviceId)).toMatchObject({ hold_fils: 0, status: 'reversed' });

      const unknown = await client.request(reversal(client, authorizationMessage(purchase()), undefined, '0420'));
      expect([unknown.message.mti, text(unknown.message, 39)]).toEqual(['0430', '00']);

      const other = await client.request({ ...authorizationMessage(purchase()), mti: '0200' });
      expect([other.message.mti, text(other.message, 39), other.macValid]).toEqual(['0210', '12', true]);
      await client.close();
    });
  });

  describe('frames', () => {
    it('a malformed frame whose MTI and DE 11 can be read is answered 30; an unreadable one closes the connection', async () => {
      const client = await signedOn();
      const before = (await h.countRows('authorizations'))[0];
      const request = authorizationMessage(purchase());
      const good = pack(request, NETWORK_SECRET);
      // DE 14 (after DE 11) made non-numeric.
      const bad = Buffer.from(good);
      const at = good.indexOf(Buffer.from(card.expiry, 'latin1'), 12 + 2 + card.pan.length + 6 + 12 + 10 + 6);
      bad.write('YY', at, 'latin1');
      // Answered with what was read before the fault (DE 2 to 11): no DE 32 to match on, so the next frame.
      const answered = client.next();
      client.writeRaw(frame(bad));
      const answer = await answered;
      expect([answer.message.mti, text(answer.message, 39), text(answer.message, 11), answer.macValid]).toEqual(['0110', '30', text(request, 11), true]);
      // A DE 48 that does not follow tag + length + value is a format error too.
      const badSub = await client.request({ ...authorizationMessage(purchase()), fields: new Map([...authorizationMessage(purchase()).fields, [48, '9']]) });
      expect(text(badSub.message, 39)).toBe('30');
      expect((await h.countRows('authorizations'))[0]).toBe(before);

      client.writeRaw(frame(Buffer.from('zz')));
      await client.closed;
    });

    it('a frame torn into pieces is put back together', async () => {
      const client = await signedOn();
      const request = authorizationMessage(purchase());
      const bytes = frame(pack(request, NETWORK_SECRET));
      const answered = client.answerTo(request);
      for (const piece of [bytes.subarray(0, 1), bytes.subarray(1, 7), bytes.subarray(7, 40), bytes.subarray(40)]) {
        client.writeRaw(piece);
        await sleep(15);
      }
      expect(text((await answered).message, 39)).toBe('00');
      await client.close();
    });

    it('a client that disconnects mid-message: nothing of that message is applied', async () => {
      const client = await signedOn();
      const before = await h.countRows('authorizations', 'ledger_transfers', 'audit_log');
      const bytes = frame(pack(authorizationMessage(purchase()), NETWORK_SECRET));
      client.writeRaw(bytes.subarray(0, bytes.length - 3));
      await sleep(50);
      client.socket.destroy();
      await sleep(100);
      expect(await h.countRows('authorizations', 'ledger_transfers', 'audit_log')).toEqual(before);
    });
  });

  it('metrics: messages by MTI and response code, connections open', async () => {
    const text = await h.deps.metrics!.registry.metrics();
    expect(text).toMatch(/iso8583_messages_total\{mti="0100",response_code="00"\} [1-9]/);
    expect(text).toMatch(/iso8583_messages_total\{mti="0800",response_code="63"\} [1-9]/);
    expect(text).toMatch(/iso8583_connections_open \d/);
    expect(h.logLines.some((l) => l.includes('ISO 8583 connection closed') && l.includes(NETWORK_KEY_ID))).toBe(true);
    expect(h.logLines.some((l) => l.includes(card.pan))).toBe(false);
  });
});

describe('shutdown', () => {
  it('close() answers what is in flight, then closes the connection', async () => {
    const h = await Harness.create();
    const server = await startIsoServer(h.deps, { port: 0, host: '127.0.0.1', maxConnections: 4, idleTimeoutMs: 60_000 });
    try {
      const card = await h.cardholder();
      const client = await IsoClient.connect(server.port);
      await client.signOn(NETWORK_KEY_ID, NETWORK_SECRET, h.clock.now());
      const request = authorizationMessage(h.purchase(card, { transmissionTime: new Date(h.clock.now()).toISOString() }) as never);
      const answered = client.request(request);
      await sleep(0);
      const closed = server.close(5_000);
      expect(text((await answered).message, 39)).toBe('00');
      await client.closed;
      await closed;
      expect(server.connections).toBe(0);
    } finally {
      await server.close();
      await h.close();
    }
  });

  it('back-pressure: a client that stops reading does not make the server buffer without bound', async () => {
    const h = await Harness.create();
    const server = await startIsoServer(h.deps, { port: 0, host: '127.0.0.1', maxConnections: 4, idleTimeoutMs: 60_000, writeBufferBytes: 64 * 1024 });
    try {
      const client = await IsoClient.connect(server.port);
      await client.signOn(NETWORK_KEY_ID, NETWORK_SECRET, h.clock.now());
      // 0200 is answered 12 at once, without the database: ~30 MB of requests, more than loopback's socket buffers hold, as many answers.
      const requests = Array.from({ length: 150_000 }, (_, i): IsoMessage => ({ mti: '0200', fields: new Map([
        [3, '000000'], [4, '000000000100'], [7, writeTransmissionTime(h.clock.now())], [11, String(i % 999_999 + 1).padStart(6, '0')],
        [32, String(100_000 + Math.floor(i / 999_999))], [37, 'RRN000000001'], [41, 'TERM0001'], [42, 'MERCHANT0000001'], [49, '414'],
      ]) }));
      let answered = 0;
      client.socket.pause();
      client.writeRaw(Buffer.concat(requests.map((r) => frame(pack(r, NETWORK_SECRET)))));
      let peak = 0;
      for (let i = 0; i < 60; i++) { await sleep(50); peak = Math.max(peak, server.bufferedBytes); }
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(2 * 1024 * 1024);
      const all = Promise.all(requests.map((r) => client.answerTo(r).then(() => { answered++; })));
      client.socket.resume();
      await all;
      expect(answered).toBe(requests.length);
      await client.close();
    } finally {
      await server.close();
      await h.close();
    }
  }, 180_000);

  it('an idle signed-on connection is sent an echo; an idle connection never signed on is closed', async () => {
    const h = await Harness.create();
    const server = await startIsoServer(h.deps, { port: 0, host: '127.0.0.1', maxConnections: 4, idleTimeoutMs: 1_000 });
    try {
      const client = await IsoClient.connect(server.port);
      await client.signOn(NETWORK_KEY_ID, NETWORK_SECRET, h.clock.now());
      const echo = await client.next();
      expect([echo.message.mti, text(echo.message, 70), echo.macValid]).toEqual(['0800', '301', true]);
      const silent = await IsoClient.connect(server.port);
      await silent.closed;
      expect(unpack(echo.bytes).message.fields.has(128)).toBe(true);
      await client.close();
    } finally {
      await server.close();
      await h.close();
    }
  }, 10_000);
});
