// The composite fields of SPEC §10: DE 48's subelements, DE 43's name/city/country, DE 7's
// MMDDhhmmss, DE 90's original data elements and DE 95's replacement amount. Each reader throws
// SubfieldError on a layout fault (answered 30).
import { DE43_LAYOUT } from './fields.js';

export class SubfieldError extends Error {}

/** DE 48: subelements, each tag n2 + length n2 + value, in the order given. */
export function readSubelements(value: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < value.length) {
    const head = value.slice(i, i + 4);
    if (!/^\d{4}$/.test(head)) throw new SubfieldError('DE 48: a subelement needs a 2-digit tag and a 2-digit length');
    const length = Number(head.slice(2));
    if (i + 4 + length > value.length) throw new SubfieldError(`DE 48: subelement ${head.slice(0, 2)} is cut short`);
    if (out.has(head.slice(0, 2))) throw new SubfieldError(`DE 48: subelement ${head.slice(0, 2)} appears twice`);
    out.set(head.slice(0, 2), value.slice(i + 4, i + 4 + length));
    i += 4 + length;
  }
  return out;
}

export function writeSubelements(entries: Iterable<[string, string | undefined]>): string {
  let out = '';
  for (const [tag, value] of entries) {
    if (value === undefined) continue;
    if (value.length > 99) throw new SubfieldError(`DE 48: subelement ${tag} is longer than 99`);
    out += tag + String(value.length).padStart(2, '0') + value;
  }
  return out;
}

/** DE 43 ans40: name 25, city 13, country 2; padding trimmed. */
export function readCardAcceptor(value: string): { name: string; city: string; country: string } {
  const { name, city } = DE43_LAYOUT;
  return {
    name: value.slice(0, name).trim(),
    city: value.slice(name, name + city).trim(),
    country: value.slice(name + city).trim(),
  };
}

export function writeCardAcceptor(p: { name: string; city?: string; country: string }): string {
  return p.name.slice(0, DE43_LAYOUT.name).padEnd(DE43_LAYOUT.name)
    + (p.city ?? '').slice(0, DE43_LAYOUT.city).padEnd(DE43_LAYOUT.city)
    + p.country.slice(0, DE43_LAYOUT.country).padEnd(DE43_LAYOUT.country);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** DE 7 from an instant: MMDDhhmmss, UTC. */
export function writeTransmissionTime(ms: number): string {
  const d = new Date(ms);
  return pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate()) + pad2(d.getUTCHours()) + pad2(d.getUTCMinutes()) + pad2(d.getUTCSeconds());
}

/** Days in a month (1–12) of a proleptic Gregorian year. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Two ASCII digits of `value` at `at` as a number; -1 when either is not a digit. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 0x30;
  const units = value.charCodeAt(at + 1) - 0x30;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/**
 * DE 7 (MMDDhhmmss, UTC) as the JSON API writes it, `YYYY-MM-DDThh:mm:ssZ`, with the year that
 * puts it nearest to `nowMs` (so 1231235959 read on 1 January is last year's; a tie goes to the
 * earlier year). A date that does not exist in a year (29 February, 31 April) is not read in it.
 * Read digit by digit: it runs for every authorization.
 */
export function readTransmissionTime(value: string, nowMs: number): string {
  const month = value.length === 10 ? twoDigits(value, 0) : -1;
  const day = twoDigits(value, 2);
  const hour = twoDigits(value, 4);
  const minute = twoDigits(value, 6);
  const second = twoDigits(value, 8);
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) throw new SubfieldError('DE 7 must be MMDDhhmmss');
  const year = new Date(nowMs).getUTCFullYear();
  let bestYear = 0;
  let bestDistance = Infinity;
  if (month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59) {
    for (let y = year - 1; y <= year + 1; y++) {
      // Date.UTC reads the years 0–99 as 1900–1999: none of them is ever near now.
      if (day > daysInMonth(y, month) || (y >= 0 && y <= 99)) continue;
      const distance = Math.abs(Date.UTC(y, month - 1, day, hour, minute, second) - nowMs);
      if (distance < bestDistance) {
        bestYear = y;
        bestDistance = distance;
      }
    }
  }
  if (bestDistance === Infinity) throw new SubfieldError('DE 7 is not a date and time');
  return `${String(bestYear).padStart(4, '0')}-${value.slice(0, 2)}-${value.slice(2, 4)}T${value.slice(4, 6)}:${value.slice(6, 8)}:${value.slice(8, 10)}Z`;
}

export interface OriginalData { mti: string; stan: string; transmission: string; acquirerId: string }

/** DE 90 n42: original MTI 4, STAN 6, DE 7 10, acquirer id 11 (zero-padded), 11 zeros. */
export function readOriginalData(value: string): OriginalData {
  if (!/^\d{42}$/.test(value)) throw new SubfieldError('DE 90 must be 42 digits');
  return { mti: value.slice(0, 4), stan: value.slice(4, 10), transmission: value.slice(10, 20), acquirerId: value.slice(20, 31) };
}

export function writeOriginalData(o: OriginalData): string {
  if (!/^\d{1,11}$/.test(o.acquirerId)) throw new SubfieldError('DE 90: the acquirer id must be up to 11 digits');
  return o.mti + o.stan + o.transmission + o.acquirerId.padStart(11, '0') + '0'.repeat(11);
}

/** DE 95 an42: the first 12 characters are the amount that stays authorized. */
export function readReplacementAmount(value: string): number {
  const amount = value.slice(0, 12);
  if (!/^\d{12}$/.test(amount)) throw new SubfieldError('DE 95: the first 12 characters must be digits');
  return Number(amount);
}

export function writeReplacementAmount(amount: number): string {
  return String(amount).padStart(12, '0').padEnd(42, '0');
}

/** DE 2 in a response: first 6 and last 4 digits, `*` between. */
export function maskPan(pan: string): string {
  return pan.length <= 10 ? '*'.repeat(pan.length) : pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}
