// PAN generation and checks (SPEC §2): 16 digits = BIN + CSPRNG digits + Luhn check digit.
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';

// luhn is CommonJS with an IIFE export that ESM named imports cannot see.
const luhn = createRequire(import.meta.url)('luhn') as typeof import('luhn');

export const PAN_LENGTH = 16;

export function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function generatePan(bin: string, randomDigit: () => number = () => randomInt(10)): string {
  let body = bin;
  while (body.length < PAN_LENGTH - 1) body += String(randomDigit());
  const pan = body + luhnCheckDigit(body);
  if (!luhn.validate(pan)) throw new Error('generated PAN failed the Luhn check');
  return pan;
}

export function isValidPan(pan: string): boolean {
  return /^\d{12,19}$/.test(pan) && luhn.validate(pan);
}

export function maskPan(bin: string, last4: string): string {
  return `${bin.slice(0, 6)}${'*'.repeat(PAN_LENGTH - 10)}${last4}`;
}

/** End of the month, 3 years out, as YYMM. */
export function expiryFor(issuedAtMs: number): string {
  const d = new Date(issuedAtMs);
  const year = d.getUTCFullYear() + 3;
  return `${String(year % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A card is valid through the last moment of its expiry month (UTC). */
export function isExpired(expiryYYMM: string, nowMs: number): boolean {
  const year = 2000 + Number(expiryYYMM.slice(0, 2));
  const month = Number(expiryYYMM.slice(2, 4));
  return nowMs >= Date.UTC(year, month, 1);
}

/** YYMM → YYYY-MM, the form online banking shows. */
export function expiryDisplay(expiryYYMM: string): string {
  return `20${expiryYYMM.slice(0, 2)}-${expiryYYMM.slice(2, 4)}`;
}
