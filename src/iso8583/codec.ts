// Packs and unpacks ISO 8583:1987 messages as SPEC §10 lays them out, driven by the field table
// (fields.ts): MTI (4 ASCII digits), primary bitmap (8 bytes; bit 1 = a secondary bitmap follows),
// then the present fields in DE order. Numeric fields are right-aligned and zero-padded, an/ans
// left-aligned and space-padded, LLVAR/LLLVAR carry an ASCII length. There is no code per field.
//
// The MAC (DE 64, or DE 128 when a secondary bitmap is present) is the first 8 bytes of
// HMAC-SHA256 with the client's secret (UTF-8) over every byte before it, bitmaps included with
// the MAC's bit set: pack computes it when given a key, unpack says where it starts.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
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

/** The length prefix of a frame on the wire (see `frame`). */
export const FRAME_HEADER_BYTES = 2;

/** The field table indexed by DE, so that the codec's loops look a field up without hashing. */
const SPECS: ReadonlyArray<FieldSpec | undefined> = Array.from({ length: 129 }, (_, de) => FIELD_BY_DE.get(de));

/** Per text format, the bytes it allows (n: digits; an: letters, digits, space; ans: 0x20–0x7E). */
const ALLOWED: Record<Exclude<FieldFormat, 'b'>, Uint8Array> = { n: new Uint8Array(128), an: new Uint8Array(128), ans: new Uint8Array(128) };
for (let c = 0x20; c <= 0x7e; c++) {
  const ch = String.fromCharCode(c);
  ALLOWED.ans[c] = 1;
  if (/[A-Za-z0-9 ]/.test(ch)) ALLOWED.an[c] = 1;
  if (/[0-9]/.test(ch)) ALLOWED.n[c] = 1;
}

function textAllowed(allowed: Uint8Array, value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || allowed[c] === 0) return false;
  }
  return true;
}

function bytesAllowed(allowed: Uint8Array, bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c > 0x7f || allowed[c] === 0) return false;
  }
  return true;
}

/** The decimal value of ASCII digits bytes[start, end); -1 when one is not a digit. */
function digitsAt(bytes: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const isMti = (mti: string) => mti.length === 4 && textAllowed(ALLOWED.n, mti);

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
  if (de < 2 || de > 128 || de === 65) throw new Error(`DE ${de} cannot be packed`);
  const spec = SPECS[de];
  if (!spec) throw new Error(`DE ${de} is not in the field table`);
  return spec;
}

/** Bytes the field takes on the wire, length prefix included; throws when the value does not fit its format. */
function encodedLength(spec: FieldSpec, value: FieldValue, response: boolean): number {
  const format = formatOf(spec, response);
  if (format === 'b') {
    if (!Buffer.isBuffer(value) || value.length !== spec.length) throw new Error(`DE ${spec.de} must be ${spec.length} bytes`);
    return spec.length;
  }
  if (typeof value !== 'string') throw new Error(`DE ${spec.de} must be text`);
  if (!textAllowed(ALLOWED[format], value)) throw new Error(`DE ${spec.de} must be ${format}`);
  if (value.length > spec.length) throw new Error(`DE ${spec.de} is longer than ${spec.length}`);
  if (spec.kind === 'fixed') return spec.length;
  return (spec.kind === 'llvar' ? 2 : 3) + value.length;
}

/**
 * Writes checked ASCII text byte by byte: fields are a few to a few dozen characters, for which a
 * loop costs less than Buffer#write's call into the runtime.
 */
function writeAscii(out: Buffer, offset: number, value: string): number {
  for (let i = 0; i < value.length; i++) out[offset + i] = value.charCodeAt(i);
  return offset + value.length;
}

/** Padding, as writeAscii: short runs. */
function pad(out: Buffer, byte: number, start: number, end: number): void {
  for (let i = start; i < end; i++) out[i] = byte;
}

/** Writes a field checked by encodedLength at `offset`; returns the offset after it. */
function writeField(out: Buffer, offset: number, spec: FieldSpec, value: FieldValue, response: boolean): number {
  if (typeof value !== 'string') return offset + value.copy(out, offset);
  if (spec.kind === 'fixed') {
    const padding = spec.length - value.length;
    if (formatOf(spec, response) === 'n') {
      pad(out, 0x30, offset, offset + padding);
      return writeAscii(out, offset + padding, value);
    }
    const end = writeAscii(out, offset, value);
    pad(out, 0x20, end, end + padding);
    return end + padding;
  }
  let length = value.length;
  const digits = spec.kind === 'llvar' ? 2 : 3;
  for (let i = digits - 1; i >= 0; i--, length = Math.floor(length / 10)) out[offset + i] = 0x30 + (length % 10);
  return writeAscii(out, offset + digits, value);
}

function setBit(bitmap: Buffer, at: number, de: number): void {
  bitmap[at + ((de - 1) >> 3)] |= 0x80 >> ((de - 1) & 7);
}

/**
 * The key object of a secret: made once per secret (the few a listener's clients have), not per
 * message. Bounded, so that a stream of distinct secrets cannot grow it.
 */
const KEYS = new Map<string, KeyObject>();
const MAX_KEYS = 64;

function keyOf(secret: string): KeyObject {
  let key = KEYS.get(secret);
  if (!key) {
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    KEYS.set(secret, key);
  }
  return key;
}

export function computeMac(secret: string, bytes: Buffer): Buffer {
  return createHmac('sha256', keyOf(secret)).update(bytes).digest().subarray(0, MAC_LENGTH);
}

/**
 * The message's bytes. With `macKey`, the MAC field (64, or 128 with a secondary bitmap) is
 * computed and any MAC value in `fields` ignored; without, fields are packed as given.
 */
export function pack(message: IsoMessage, macKey?: string): Buffer {
  return encode(message, macKey, 0);
}

/** The message as `frame(pack(message, macKey))` gives it, in one buffer. */
export function packFrame(message: IsoMessage, macKey?: string): Buffer {
  return encode(message, macKey, FRAME_HEADER_BYTES);
}

/**
 * Packs into one buffer sized beforehand, after `header` bytes (the frame's length, when 2): the
 * fields are checked and measured in a first pass and written in a second, the MAC written last.
 */
function encode(message: IsoMessage, macKey: string | undefined, header: number): Buffer {
  if (!isMti(message.mti)) throw new Error('MTI must be 4 digits');
  const response = isResponseMti(message.mti);
  const present: number[] = [];
  let secondary = false;
  for (const de of message.fields.keys()) {
    if (macKey !== undefined && (de === MAC_PRIMARY || de === MAC_SECONDARY)) continue;
    present.push(de);
    if (de > 64) secondary = true;
  }
  const macDe = secondary ? MAC_SECONDARY : MAC_PRIMARY;
  if (macKey !== undefined) present.push(macDe);
  present.sort((a, b) => a - b);

  const bitmapBytes = secondary ? 16 : 8;
  let length = 4 + bitmapBytes;
  for (const de of present) {
    const spec = specOf(de);
    length += macKey !== undefined && de === macDe ? MAC_LENGTH : encodedLength(spec, message.fields.get(de)!, response);
  }
  if (header > 0 && length > 0xffff) throw new Error('message longer than a 2-byte length allows');

  const out = Buffer.allocUnsafe(header + length);
  if (header > 0) out.writeUInt16BE(length, 0);
  writeAscii(out, header, message.mti);
  const bitmapAt = header + 4;
  pad(out, 0, bitmapAt, bitmapAt + bitmapBytes);
  if (secondary) setBit(out, bitmapAt, 1);
  let offset = bitmapAt + bitmapBytes;
  for (const de of present) {
    setBit(out, bitmapAt, de);
    if (macKey !== undefined && de === macDe) continue;
    offset = writeField(out, offset, SPECS[de]!, message.fields.get(de)!, response);
  }
  if (macKey !== undefined) {
    createHmac('sha256', keyOf(macKey)).update(out.subarray(header, offset)).digest().copy(out, offset, 0, MAC_LENGTH);
  }
  return out;
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
  if (!isMti(mti)) fail('the MTI is not 4 digits');
  partial.mti = mti;
  const response = isResponseMti(mti);
  const secondary = (bytes[4] & 0x80) !== 0;
  const bitmapEnd = 4 + (secondary ? 16 : 8);
  if (bytes.length < bitmapEnd) fail('the secondary bitmap is cut short');

  let offset = bitmapEnd;
  let macOffset: number | undefined;
  // The bitmap a byte at a time, skipping bytes with no bit set; DE 1 (the secondary bitmap's bit) is no field.
  for (let at = 4; at < bitmapEnd; at++) {
    const bits = bytes[at];
    if (bits === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      if ((bits & (0x80 >> bit)) === 0) continue;
      const de = (at - 4) * 8 + bit + 1;
      if (de === 1) continue;
      const spec = SPECS[de];
      if (!spec) fail(`DE ${de} is not supported`);
      if (de === MAC_PRIMARY && secondary) fail('DE 64 with a secondary bitmap (the MAC is DE 128 then)');
      if (de === MAC_PRIMARY || de === MAC_SECONDARY) macOffset = offset;
      let length = spec!.length;
      if (spec!.kind !== 'fixed') {
        const digits = spec!.kind === 'llvar' ? 2 : 3;
        const given = offset + digits <= bytes.length ? digitsAt(bytes, offset, offset + digits) : -1;
        if (given < 0) fail(`DE ${de}: bad length prefix`);
        length = given;
        if (length > spec!.length) fail(`DE ${de}: longer than ${spec!.length}`);
        offset += digits;
      }
      if (offset + length > bytes.length) fail(`DE ${de} is cut short`);
      const format = formatOf(spec!, response);
      if (format === 'b') {
        // A copy: the frame is a view of the connection's read buffer.
        fields.set(de, Buffer.from(bytes.subarray(offset, offset + length)));
      } else {
        if (!bytesAllowed(ALLOWED[format], bytes, offset, offset + length)) fail(`DE ${de} is not ${format}`);
        fields.set(de, bytes.toString('latin1', offset, offset + length));
      }
      offset += length;
      if (macOffset !== undefined && offset !== bytes.length) fail('the MAC is not the last field');
    }
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
