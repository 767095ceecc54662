// Packs and unpacks ISO 8583:1987 messages as SPEC §10 lays them out, driven by the field table
// (fields.ts): MTI (4 ASCII digits), primary bitmap (8 bytes; bit 1 = a secondary bitmap follows),
// then the present fields in DE order. Numeric fields are right-aligned and zero-padded, an/ans
// left-aligned and space-padded, LLVAR/LLLVAR carry an ASCII length. There is no code per field.
//
// The MAC (DE 64, or DE 128 when a secondary bitmap is present) is the first 8 bytes of
// HMAC-SHA256 with the client's secret (UTF-8) over every byte before it, bitmaps included with
// the MAC's bit set: pack computes it when given a key, unpack says where it starts.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FIELD_BY_DE, MAC_PRIMARY, MAC_SECONDARY, type FieldFormat, type FieldSpec } from './fields.js';

export type FieldValue = string | Buffer;

export interface IsoMessage {
  mti: string;
  fields: Map<number, FieldValue>;
}

/** A frame that does not follow the layout; `partial` holds what was read before the fault. */
export class IsoFormatError extends Error {
  constructor(message: string, readonly partial: { mti?: string; fields: Map<number, FieldValue> }) {
    super(message);
  }
}

export const MAC_LENGTH = 8;

const CHARSETS: Record<Exclude<FieldFormat, 'b'>, RegExp> = {
  n: /^[0-9]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7E]*$/,
};

/** Responses have an odd third MTI digit (x1x0 response, x3x0 advice response). */
export function isResponseMti(mti: string): boolean {
  return Number(mti[2]) % 2 === 1;
}

/** The response MTI of a request or advice: function digit + 1, a repeat's origin digit cleared. */
export function responseMtiOf(mti: string): string {
  const fn = Number(mti[2]);
  const origin = Number(mti[3]);
  return `${mti.slice(0, 2)}${fn + (fn % 2 === 0 ? 1 : 0)}${origin - (origin % 2)}`;
}

function formatOf(spec: FieldSpec, response: boolean): FieldFormat {
  return response && spec.responseFormat ? spec.responseFormat : spec.format;
}

function specOf(de: number): FieldSpec {
  const spec = FIELD_BY_DE.get(de);
  if (!spec) throw new Error(`DE ${de} is not in the field table`);
  return spec;
}

function encodeField(spec: FieldSpec, value: FieldValue, response: boolean): Buffer {
  const format = formatOf(spec, response);
  if (format === 'b') {
    if (!Buffer.isBuffer(value) || value.length !== spec.length) throw new Error(`DE ${spec.de} must be ${spec.length} bytes`);
    return value;
  }
  if (typeof value !== 'string') throw new Error(`DE ${spec.de} must be text`);
  if (!CHARSETS[format].test(value)) throw new Error(`DE ${spec.de} must be ${format}`);
  if (value.length > spec.length) throw new Error(`DE ${spec.de} is longer than ${spec.length}`);
  if (spec.kind === 'fixed') {
    const padded = format === 'n' ? value.padStart(spec.length, '0') : value.padEnd(spec.length, ' ');
    return Buffer.from(padded, 'latin1');
  }
  const prefix = String(value.length).padStart(spec.kind === 'llvar' ? 2 : 3, '0');
  return Buffer.from(prefix + value, 'latin1');
}

function setBit(bitmap: Buffer, de: number): void {
  bitmap[(de - 1) >> 3] |= 0x80 >> ((de - 1) & 7);
}

function hasBit(bitmap: Buffer, de: number): boolean {
  return (bitmap[(de - 1) >> 3] & (0x80 >> ((de - 1) & 7))) !== 0;
}

export function computeMac(secret: string, bytes: Buffer): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(bytes).digest().subarray(0, MAC_LENGTH);
}

/**
 * The message's bytes. With `macKey`, the MAC field (64, or 128 with a secondary bitmap) is
 * computed and any MAC value in `fields` ignored; without, fields are packed as given.
 */
export function pack(message: IsoMessage, macKey?: string): Buffer {
  if (!/^\d{4}$/.test(message.mti)) throw new Error('MTI must be 4 digits');
  const response = isResponseMti(message.mti);
  const present = [...message.fields.keys()].filter((de) => macKey === undefined || (de !== MAC_PRIMARY && de !== MAC_SECONDARY));
  const secondary = present.some((de) => de > 64) || (macKey === undefined && present.includes(MAC_SECONDARY));
  const macDe = secondary ? MAC_SECONDARY : MAC_PRIMARY;
  if (macKey !== undefined) present.push(macDe);
  present.sort((a, b) => a - b);

  const bitmap = Buffer.alloc(secondary ? 16 : 8);
  if (secondary) setBit(bitmap, 1);
  const parts: Buffer[] = [Buffer.from(message.mti, 'latin1'), bitmap];
  for (const de of present) {
    if (de < 2 || de > 128 || de === 65) throw new Error(`DE ${de} cannot be packed`);
    setBit(bitmap, de);
    if (macKey !== undefined && de === macDe) continue;
    parts.push(encodeField(specOf(de), message.fields.get(de)!, response));
  }
  const body = Buffer.concat(parts);
  return macKey === undefined ? body : Buffer.concat([body, computeMac(macKey, body)]);
}

export interface Unpacked {
  message: IsoMessage;
  /** Where the MAC field starts (the MAC covers bytes [0, macOffset)); undefined when there is none. */
  macOffset?: number;
}

/** Reads a message; an IsoFormatError names the fault and carries what was read before it. */
export function unpack(bytes: Buffer): Unpacked {
  const fields = new Map<number, FieldValue>();
  const partial: { mti?: string; fields: Map<number, FieldValue> } = { fields };
  const fail = (why: string): never => { throw new IsoFormatError(why, partial); };

  if (bytes.length < 12) fail('shorter than an MTI and a bitmap');
  const mti = bytes.toString('latin1', 0, 4);
  if (!/^\d{4}$/.test(mti)) fail('the MTI is not 4 digits');
  partial.mti = mti;
  const response = isResponseMti(mti);
  const secondary = (bytes[4] & 0x80) !== 0;
  const bitmapEnd = 4 + (secondary ? 16 : 8);
  if (bytes.length < bitmapEnd) fail('the secondary bitmap is cut short');
  const bitmap = bytes.subarray(4, bitmapEnd);

  let offset = bitmapEnd;
  let macOffset: number | undefined;
  for (let de = 2; de <= (secondary ? 128 : 64); de++) {
    if (!hasBit(bitmap, de)) continue;
    const spec = FIELD_BY_DE.get(de);
    if (!spec) fail(`DE ${de} is not supported`);
    if (de === MAC_PRIMARY && secondary) fail('DE 64 with a secondary bitmap (the MAC is DE 128 then)');
    if (de === MAC_PRIMARY || de === MAC_SECONDARY) macOffset = offset;
    let length = spec!.length;
    if (spec!.kind !== 'fixed') {
      const digits = spec!.kind === 'llvar' ? 2 : 3;
      const prefix = bytes.toString('latin1', offset, offset + digits);
      if (prefix.length < digits || !/^\d+$/.test(prefix)) fail(`DE ${de}: bad length prefix`);
      length = Number(prefix);
      if (length > spec!.length) fail(`DE ${de}: longer than ${spec!.length}`);
      offset += digits;
    }
    if (offset + length > bytes.length) fail(`DE ${de} is cut short`);
    const format = formatOf(spec!, response);
    if (format === 'b') {
      fields.set(de, Buffer.from(bytes.subarray(offset, offset + length)));
    } else {
      const value = bytes.toString('latin1', offset, offset + length);
      if (!CHARSETS[format].test(value)) fail(`DE ${de} is not ${format}`);
      fields.set(de, value);
    }
    offset += length;
    if (macOffset !== undefined && offset !== bytes.length) fail('the MAC is not the last field');
  }
  if (offset !== bytes.length) fail('bytes after the last field');
  return { message: { mti, fields }, macOffset };
}

/** True when the message ends with a MAC made with `secret` over the bytes before it. */
export function macVerifies(bytes: Buffer, macOffset: number | undefined, secret: string): boolean {
  if (macOffset === undefined) return false;
  const expected = computeMac(secret, bytes.subarray(0, macOffset));
  const given = bytes.subarray(macOffset);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Text of a field (undefined when absent or binary). */
export function text(message: IsoMessage, de: number): string | undefined {
  const v = message.fields.get(de);
  return typeof v === 'string' ? v : undefined;
}

/** Length-prefixed framing: a 2-byte big-endian length, then the message. */
export function frame(message: Buffer): Buffer {
  if (message.length > 0xffff) throw new Error('message longer than a 2-byte length allows');
  const header = Buffer.allocUnsafe(2);
  header.writeUInt16BE(message.length, 0);
  return Buffer.concat([header, message]);
}
