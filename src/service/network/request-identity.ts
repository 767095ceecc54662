// A network request's identity (SPEC §4 idempotency): its key — the client's own acquirerId + stan
// + transmissionTime as an instant to the second — and the hash of its content, compared on a
// retransmission (same content: the first answer; other content: 94). Authorizations, advices and
// reversal advices share these.
import { hash as oneShotHash } from 'node:crypto';
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { transmissionInstant } from '../../domain/transmission-time.js';

/**
 * A request's idempotency key: the client's own, transmissionTime as an instant to the second.
 * Existing keys were rewritten to this form by migration 9.
 */
export function idempotencyKey(networkClient: string, r: Pick<AuthorizationRequest, 'acquirerId' | 'stan' | 'transmissionTime'>): string {
  return `${networkClient}|${r.acquirerId}|${r.stan}|${transmissionInstant(r.transmissionTime)}`;
}

/**
 * The request as its hash sees it: transmissionTime as the instant the key compares, so that a
 * retransmission spelling its time another way is the same content, not a 94.
 */
export function hashedContent<R extends AuthorizationRequest>(request: R): R {
  const instant = transmissionInstant(request.transmissionTime);
  return instant === request.transmissionTime ? request : { ...request, transmissionTime: instant };
}

// Code-unit order (not localeCompare): the same everywhere, and cheap on the hot path.
const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const sha256Hex = (text: string) => oneShotHash('sha256', text, 'hex');

/** The keys of the last request shape seen, and the same sorted: requests come in a few shapes. */
let lastKeys: string[] = [];
let lastSortedKeys: string[] = [];

function sortedKeysOf(request: object): string[] {
  const keys = Object.keys(request);
  if (keys.length === lastKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length && same; i++) same = keys[i] === lastKeys[i];
    if (same) return lastSortedKeys;
  }
  lastKeys = keys;
  lastSortedKeys = [...keys].sort(codeUnitOrder);
  return lastSortedKeys;
}

/**
 * Canonical hash of the request: same fields and values give the same hash, whatever the key order.
 * Stored hashes are compared on replay, so the text hashed never changes: JSON.stringify of an
 * object holding the request's own enumerable entries in code-unit key order (as
 * canonicalRequestHash builds it). Here that object is built by plain assignment in that order
 * (one hidden class per request shape, so JSON.stringify takes its fast path); `__proto__`, the
 * one key that assignment treats differently, goes the original way.
 */
export function requestHash(request: object): string {
  const keys = sortedKeysOf(request);
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__') return canonicalRequestHash(request);
    sorted[key] = (request as Record<string, unknown>)[key];
  }
  return sha256Hex(JSON.stringify(sorted));
}

/** The definition requestHash must keep matching (stored hashes were made with it). */
export function canonicalRequestHash(request: object): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => codeUnitOrder(a, b)));
  return sha256Hex(JSON.stringify(sorted));
}
