import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Time-ordered text id: prefix, 9 base-36 characters of milliseconds, 12 random characters.
 * Lexicographic order follows creation time, which keeps cursors stable and indexes append-mostly.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  const bytes = randomBytes(12);
  let random = '';
  for (const b of bytes) random += ALPHABET[b % 36];
  return `${prefix}_${nowMs.toString(36).padStart(9, '0')}${random}`;
}
