// The codec against hand-written golden vectors, the composite fields, and round trips of random
// messages built from the field table (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  frame, IsoFormatError, isResponseMti, macVerifies, pack, packFrame, responseMtiOf, unpack, type FieldValue, type IsoMessage,
} from '../../src/iso8583/codec.js';
import { FIELDS, MAC_PRIMARY, MAC_SECONDARY, type FieldSpec } from '../../src/iso8583/fields.js';
import {
  maskPan, readCardAcceptor, readOriginalData, readReplacementAmount, readSubelements, readTransmissionTime,
  SubfieldError, writeCardAcceptor, writeOriginalData, writeSubelements, writeTransmissionTime,
} from '../../src/iso8583/subfields.js';
import { bytesOf, GOLDEN, VECTOR_SECRET } from './vectors/golden.js';

const BINARY = new Set(FIELDS.filter((f) => f.format === 'b').map((f) => f.de));

function expectedFields(fields: Record<number, string>): Map<number, FieldValue> {
  return new Map(Object.entries(fields).map(([de, v]) => [Number(de), BINARY.has(Number(de)) ? Buffer.from(v, 'hex') : v]));
}

describe('golden vectors', () => {
  for (const v of GOLDEN) {
    it(`${v.name}: unpacks to its fields, packs back to the same bytes, MAC verifies`, () => {
      const bytes = bytesOf(v.segments);
      const { message, macOffset } = unpack(bytes);
      expect(message.mti).toBe(v.mti);
      expect(message.fields).toEqual(expectedFields(v.fields));
      expect(pack({ mti: v.mti, fields: expectedFields(v.fields) })).toEqual(bytes);
      if (v.mac) {
        expect(macVerifies(bytes, macOffset, VECTOR_SECRET)).toBe(true);
        expect(macVerifies(bytes, macOffset, 'another secret')).toBe(false);
        const withoutMac = new Map(expectedFields(v.fields));
        withoutMac.delete(MAC_PRIMARY);
        withoutMac.delete(MAC_SECONDARY);
        expect(pack({ mti: v.mti, fields: withoutMac }, VECTOR_SECRET)).toEqual(bytes);
      } else {
        expect(macOffset).toBeUndefined();
      }
    });
  }

  it('a flipped byte anywhere before the MAC fails it', () => {
    const bytes = bytesOf(GOLDEN.find((v) => v.mti === '0100')!.segments);
    const { macOffset } = unpack(bytes);
    for (const at of [0, 5, 20, macOffset! - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at] = tampered[at] === 0x31 ? 0x32 : 0x31;
      let verifies = false;
      try { verifies = macVerifies(tampered, unpack(tampered).macOffset, VECTOR_SECRET); } catch { /* unreadable: no MAC either */ }
      expect(verifies).toBe(false);
    }
  });
});

describe('padding and layout', () => {
  it('numerics are zero-padded on the left, an/ans space-padded on the right, LLVAR length-prefixed', () => {
    const bytes = pack({ mti: '0100', fields: new Map<number, FieldValue>([[4, '125'], [32, '412345'], [41, 'T1'], [42, 'M-1']]) });
    expect(bytes.subarray(12).toString('latin1')).toBe('00000000012506412345T1      M-1            ');
  });

  it('a message with a field above 64 gets a secondary bitmap and its MAC in DE 128, not 64', () => {
    const bytes = pack({ mti: '0800', fields: new Map([[11, '000001'], [70, '301']]) }, 's');
    const { message, macOffset } = unpack(bytes);
    expect(bytes[4] & 0x80).toBe(0x80);
    expect(message.fields.has(128)).toBe(true);
    expect(message.fields.has(64)).toBe(false);
    expect(macOffset).toBe(bytes.length - 8);
  });

  it('refuses what the table does not allow', () => {
    expect(() => pack({ mti: '0100', fields: new Map([[4, '1234567890123']]) })).toThrow(/longer/);
    expect(() => pack({ mti: '0100', fields: new Map([[3, '12a']]) })).toThrow(/must be n/);
    expect(() => pack({ mti: '0100', fields: new Map([[5, '1']]) })).toThrow(/not in the field table/);
    expect(() => pack({ mti: '0100', fields: new Map([[2, '465781******0000']]) })).toThrow(/must be n/);
    expect(pack({ mti: '0110', fields: new Map([[2, '465781******0000']]) }).toString('latin1')).toContain('16465781******0000');
  });

  it('response MTIs: function digit + 1, a repeat answered as its original', () => {
    expect(['0100', '0101', '0120', '0121', '0400', '0401', '0420', '0421', '0800', '0200'].map(responseMtiOf))
      .toEqual(['0110', '0110', '0130', '0130', '0410', '0410', '0430', '0430', '0810', '0210']);
    expect(['0110', '0130', '0810', '0100', '0120'].map(isResponseMti)).toEqual([true, true, true, false, false]);
  });
});

describe('malformed messages', () => {
  const auth = () => bytesOf(GOLDEN.find((v) => v.mti === '0100')!.segments);

  it('a fault after DE 11 keeps the MTI and DE 11 (answerable with 30)', () => {
    const bytes = auth();
    const cut = bytes.subarray(0, bytes.length - 20);
    try { unpack(cut); expect.unreachable(); } catch (error) {
      expect(error).toBeInstanceOf(IsoFormatError);
      expect((error as IsoFormatError).partial.mti).toBe('0100');
      expect((error as IsoFormatError).partial.fields.get(11)).toBe('000123');
    }
  });

  it.each([
    ['too short for an MTI and bitmap', Buffer.from('0100')],
    ['an MTI that is not digits', Buffer.concat([Buffer.from('01A0'), Buffer.alloc(8)])],
    ['a field the table does not know (DE 5)', Buffer.concat([Buffer.from('0100'), Buffer.from('0800000000000000', 'hex'), Buffer.from('000000000001')])],
    ['bytes after the last field', Buffer.concat([Buffer.from('0100'), Buffer.from('0020000000000000', 'hex'), Buffer.from('000001xx')])],
    ['a numeric field with a letter', Buffer.concat([Buffer.from('0100'), Buffer.from('0020000000000000', 'hex'), Buffer.from('00000a')])],
    ['an LLVAR longer than its maximum', Buffer.concat([Buffer.from('0100'), Buffer.from('0000000100000000', 'hex'), Buffer.from('12123456789012')])],
    ['DE 64 beside a secondary bitmap', pack({ mti: '0800', fields: new Map<number, FieldValue>([[64, Buffer.alloc(8)], [70, '301']]) })],
  ])('%s is refused', (_name, bytes) => {
    expect(() => unpack(bytes)).toThrow(IsoFormatError);
  });
});

describe('composite fields', () => {
  it('DE 7: the year that puts MMDDhhmmss nearest to now', () => {
    const now = Date.UTC(2026, 10, 23, 9, 0, 0);
    expect(readTransmissionTime('1123091500', now)).toBe('2026-11-23T09:15:00Z');
    expect(readTransmissionTime('0101000000', Date.UTC(2026, 11, 31, 23, 59, 0))).toBe('2027-01-01T00:00:00Z');
    expect(readTransmissionTime('1231235959', Date.UTC(2027, 0, 1, 0, 0, 5))).toBe('2026-12-31T23:59:59Z');
    expect(readTransmissionTime('0229120000', Date.UTC(2027, 5, 1))).toBe('2028-02-29T12:00:00Z');
    for (const bad of ['1323000000', '0230000000', '1123240000', '112309150']) {
      expect(() => readTransmissionTime(bad, now)).toThrow(SubfieldError);
    }
    expect(writeTransmissionTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('0102030405');
  });

  it('DE 7: the same year and the same refusals as Date\'s own calendar, across year ends and leap years', () => {
    // The reference: every candidate year checked by a round trip through Date (a date that does
    // not exist rolls over), the nearest kept, a tie to the earlier year.
    const reference = (value: string, nowMs: number): string | undefined => {
      const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
      if (!m) return undefined;
      const [month, day, hour, minute, second] = m.slice(1).map(Number);
      const year = new Date(nowMs).getUTCFullYear();
      let best: { ms: number; year: number } | undefined;
      for (const y of [year - 1, year, year + 1]) {
        const ms = Date.UTC(y, month - 1, day, hour, minute, second);
        const d = new Date(ms);
        if (d.getUTCFullYear() !== y || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || d.getUTCHours() !== hour
          || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second) continue;
        if (!best || Math.abs(ms - nowMs) < Math.abs(best.ms - nowMs)) best = { ms, year: y };
      }
      return best && `${best.year}-${value.slice(0, 2)}-${value.slice(2, 4)}T${value.slice(4, 6)}:${value.slice(6, 8)}:${value.slice(8, 10)}Z`;
    };
    const nows = [Date.UTC(2026, 10, 23, 9), Date.UTC(2027, 0, 1, 0, 0, 5), Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2027, 6, 2, 12),
      Date.UTC(2028, 1, 29, 12), Date.UTC(2028, 2, 1), Date.UTC(2099, 11, 31, 12), Date.UTC(2100, 1, 28)];
    const values: string[] = [];
    for (let month = 0; month <= 13; month++) {
      for (const day of [0, 1, 15, 28, 29, 30, 31, 32]) {
        for (const [h, mi, s] of [[0, 0, 0], [12, 0, 0], [23, 59, 59], [24, 0, 0], [0, 60, 0], [0, 0, 60], [9, 99, 99]]) {
          values.push([month, day, h, mi, s].map((n) => String(n).padStart(2, '0')).join(''));
        }
      }
    }
    values.push('', '01010000', '010100000000', '01a1000000', ' 101000000', '0101-00000', '０１01000000');
    let compared = 0;
    for (const now of nows) {
      for (const value of values) {
        const expected = reference(value, now);
        if (expected === undefined) expect(() => readTransmissionTime(value, now), value).toThrow(SubfieldError);
        else expect(readTransmissionTime(value, now), value).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBe(nows.length * values.length);
  });

  it('DE 43: name 25, city 13, country 2', () => {
    const v = writeCardAcceptor({ name: 'Gulf Books Online', city: 'Kuwait City', country: 'KW' });
    expect(v).toBe('Gulf Books Online        Kuwait City  KW');
    expect(readCardAcceptor(v)).toEqual({ name: 'Gulf Books Online', city: 'Kuwait City', country: 'KW' });
  });

  it('DE 48: tag n2 + length n2 + value', () => {
    expect(writeSubelements([['92', '123'], ['10', undefined], ['42', '05']])).toBe('92031234202' + '05');
    expect(readSubelements('92031234202050100')).toEqual(new Map([['92', '123'], ['42', '05'], ['01', '']]));
    expect(() => readSubelements('9205123')).toThrow(SubfieldError);
    expect(() => readSubelements('92031239203123')).toThrow(/twice/);
  });

  it('DE 90, DE 95, DE 2 masked', () => {
    const o = { mti: '0100', stan: '000123', transmission: '1123091500', acquirerId: '412345' };
    const v = writeOriginalData(o);
    expect(v).toBe('010000012311230915000000041234500000000000');
    expect(readOriginalData(v)).toEqual({ ...o, acquirerId: '00000412345' });
    expect(readReplacementAmount('000000005000' + ' '.repeat(30))).toBe(5000);
    expect(() => readReplacementAmount('5000')).toThrow(SubfieldError);
    expect(maskPan('4657811234567890')).toBe('465781******7890');
    expect(maskPan('4657811234567890123')).toBe('465781*********0123');
  });
});

// ---- property tests: any message the table allows packs and unpacks to itself ----
const CHARS: Record<'n' | 'an' | 'ans', string> = {
  n: '0123456789',
  an: 'ABCXYZabcxyz0123456789 ',
  ans: 'AZaz09 -*/.,:;!#&\'()@_',
};

function valueOf(spec: FieldSpec, response: boolean): fc.Arbitrary<FieldValue> {
  const format = response && spec.responseFormat ? spec.responseFormat : spec.format;
  if (format === 'b') return fc.uint8Array({ minLength: spec.length, maxLength: spec.length }).map((a) => Buffer.from(a));
  const char = fc.constantFrom(...CHARS[format]);
  if (spec.kind !== 'fixed') return fc.string({ unit: char, maxLength: spec.length });
  // A fixed field reads back padded: generate it at full length.
  return fc.string({ unit: char, minLength: spec.length, maxLength: spec.length });
}

const messageArb: fc.Arbitrary<IsoMessage> = fc.tuple(
  fc.constantFrom('0100', '0110', '0120', '0130', '0400', '0410', '0800', '0810', '0200'),
  fc.subarray(FIELDS.filter((f) => f.de !== MAC_PRIMARY && f.de !== MAC_SECONDARY)),
).chain(([mti, specs]) => fc.tuple(fc.constant(mti), ...specs.map((s) => valueOf(s, isResponseMti(mti)).map((v) => [s.de, v] as const))))
  .map(([mti, ...entries]) => ({ mti, fields: new Map<number, FieldValue>(entries as Array<readonly [number, FieldValue]>) }));

describe('round trips (fast-check)', () => {
  it('pack then unpack gives the message back', () => {
    fc.assert(fc.property(messageArb, (m) => {
      const { message } = unpack(pack(m));
      expect(message).toEqual(m);
    }), { numRuns: 500 });
  });

  it('with a MAC: it verifies, sits in DE 128 exactly when a field is above 64, and any flipped bit breaks it', () => {
    fc.assert(fc.property(messageArb, fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), (m, secret, flip) => {
      const bytes = pack(m, secret);
      const { message, macOffset } = unpack(bytes);
      const secondary = [...m.fields.keys()].some((de) => de > 64);
      expect(message.fields.has(secondary ? 128 : 64)).toBe(true);
      expect(message.fields.has(secondary ? 64 : 128)).toBe(false);
      expect(macVerifies(bytes, macOffset, secret)).toBe(true);
      const tampered = Buffer.from(bytes);
      const at = flip % macOffset!;
      tampered[at] ^= 0x01;
      let verifies = false;
      try { verifies = macVerifies(tampered, unpack(tampered).macOffset, secret); } catch { /* unreadable */ }
      expect(verifies).toBe(false);
    }), { numRuns: 300 });
  });

  it('packFrame gives the bytes of frame(pack(…)), with and without a MAC', () => {
    fc.assert(fc.property(messageArb, fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }), (m, secret) => {
      expect(packFrame(m, secret)).toEqual(frame(pack(m, secret)));
    }), { numRuns: 300 });
  });

  it('a message cut anywhere never unpacks as another message', () => {
    fc.assert(fc.property(messageArb, fc.nat(), (m, cutAt) => {
      const bytes = pack(m, 'k');
      const cut = bytes.subarray(0, cutAt % bytes.length);
      expect(() => unpack(cut)).toThrow(IsoFormatError);
    }), { numRuns: 300 });
  });

  it('DE 48 subelements and DE 90 round-trip', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')), fc.string({ unit: fc.constantFrom(...CHARS.ans), maxLength: 30 })), { selector: ([t]) => t, maxLength: 8 }),
      (entries) => {
        expect([...readSubelements(writeSubelements(entries))]).toEqual(entries);
      },
    ));
  });
});
