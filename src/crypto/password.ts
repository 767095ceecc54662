// Passwords are hashed with scrypt (node:crypto) at N = 2^17, r = 8, p = 1 (SPEC §6); only the
// hash is stored, with its parameters, so a hash made at older parameters still verifies and is
// replaced at the next successful sign-in (service/banking/sessions.ts).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** SPEC's cost: N = 2^17. Only a test configuration lowers it (config.ts, TEST_PASSWORD_SCRYPT_LOG2N). */
export const PASSWORD_SCRYPT_LOG2N = 17;
const R = 8, P = 1, KEYLEN = 32;
// scrypt needs 128 · N · r bytes (128 MiB here); node refuses more than 32 MiB unless told.
const MAX_MEM_BYTES = 256 * 1024 * 1024;
/** The shortest password accepted wherever one is set. */
export const MIN_PASSWORD_LENGTH = 8;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, KEYLEN, { ...options, maxmem: MAX_MEM_BYTES }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, log2N = PASSWORD_SCRYPT_LOG2N): Promise<string> {
  const N = 2 ** log2N;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when the hash was made with other parameters than today's: rehash it after a sign-in. */
export function needsRehash(stored: string, log2N = PASSWORD_SCRYPT_LOG2N): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== 2 ** log2N || Number(r) !== R || Number(p) !== P;
}

/** Verified against when the username is unknown, at the cost of a real hash, so both answers take the same time. */
export const dummyPasswordHash = (log2N = PASSWORD_SCRYPT_LOG2N) =>
  `scrypt$${2 ** log2N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
export const DUMMY_PASSWORD_HASH = dummyPasswordHash();
