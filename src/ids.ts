import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 12;

let lastMs = -1;
let lastRandom = '';

// Random bytes drawn from the CSPRNG in blocks: one call per 256 ids instead of one per id.
const POOL_SIZE = RANDOM_LENGTH * 256;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function randomPart(): string {
  if (poolOffset + RANDOM_LENGTH > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += ALPHABET[pool[poolOffset + i] % 36];
  poolOffset += RANDOM_LENGTH;
  return random;
}

/** The next base-36 string of the same length (wraps to a fresh random value on overflow). */
function increment(text: string): string {
  for (let i = text.length - 1; i >= 0; i--) {
    const v = ALPHABET.indexOf(text[i]) + 1;
    // The digits after i were all 'z': they wrap to '0'.
    if (v < 36) return text.slice(0, i) + ALPHABET[v] + '0'.repeat(text.length - 1 - i);
  }
  return randomPart();
}

/**
 * Time-ordered text id: prefix, 9 base-36 characters of milliseconds, 12 random characters.
 * Lexicographic order follows creation time, which keeps cursors stable and indexes append-mostly.
 * Within one millisecond (common under load, and always under a test's ManualClock) the random part
 * counts up, like a monotonic ULID, so ids made by one process keep their creation order too.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  if (nowMs === lastMs) {
    lastRandom = increment(lastRandom);
  } else {
    lastMs = nowMs;
    lastRandom = randomPart();
  }
  return `${prefix}_${nowMs.toString(36).padStart(9, '0')}${lastRandom}`;
}

/** The largest time an id's 9 base-36 characters hold. */
const MAX_ID_MS = 36 ** 9 - 1;

/**
 * The least id newId(prefix, t) can make for any t at or after `ms`: ids with this prefix sort at
 * or after it exactly when they were made at or after `ms`. A time range is then a range of ids.
 */
export function idFloor(prefix: string, ms: number): string {
  const clamped = Math.min(Math.max(Math.ceil(ms), 0), MAX_ID_MS);
  return `${prefix}_${clamped.toString(36).padStart(9, '0')}`;
}
