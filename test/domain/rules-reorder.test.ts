// The rules are data and safe to reorder: no row relies on an earlier one having checked
// something (no `!` on a card, account or billing amount an earlier row would have refused).
// Every permutation drawn here, on facts full of nulls and on ordinary ones, decides without a throw.
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { DOMAIN_NOW_MS, domainRequest } from '../support/domain-request.js';
import { AUTHORIZATION_RULES, decideAuthorization, type AuthorizationFacts, type Rule } from '../../src/domain/rules.js';

const NOW = DOMAIN_NOW_MS;
const request = domainRequest;

const full = (r: Partial<AuthorizationRequest>): AuthorizationFacts => ({
  authorizationId: 'auth_1', request: request(r), card: { status: 'active', expiry: '2911' }, cvv2Matches: true,
  product: { blockedMccs: ['6011'], allowMailOrder: false, overLimitMarginPercent: 20, threeDsThresholdFils: 1 },
  billingFils: request(r).amount,
  account: { limitFils: 100_000, postedFils: 0, heldFils: 95_000, overLimitEnabled: true, overLimitUsed: false, overLimitAuthorizationId: null, overLimitUsedAtMs: null },
  authentication: 'none', accountOpen: true, storedCredential: false, nowMs: NOW,
});
/** What only the first row would stop: no card, no account, no billing amount, no CVV2. */
const bare = (r: Partial<AuthorizationRequest>): AuthorizationFacts => ({ ...full(r), card: null, account: null, billingFils: null, cvv2Matches: null });

const REQUESTS: Partial<AuthorizationRequest>[] = [
  {}, { processingCode: '200000' }, { amount: 0 }, { amount: -1 }, { eci: '05' }, { posEntryMode: '100', cvv2: undefined, initialTransactionId: 'auth_0' },
  { processingCode: '010000', mcc: '6011', posEntryMode: '051', pinPresent: true },
];

/** A small seeded generator (mulberry32): the same permutations on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
function shuffled(rules: readonly Rule[], random: () => number): Rule[] {
  const out = [...rules];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('rules in any order', () => {
  const random = seeded(26);
  const orders = Array.from({ length: 200 }, () => shuffled(AUTHORIZATION_RULES, random));

  it('200 shuffled orders decide bare and full facts without a throw, always a decline on bare ones', () => {
    for (const order of orders) {
      for (const r of REQUESTS) {
        expect(() => decideAuthorization(full(r), order)).not.toThrow();
        const d = decideAuthorization(bare(r), order);
        // Without a card every order still refuses: the 14 row matches wherever it stands.
        expect(d.approved).toBe(false);
        expect(d.accountChange).toBeNull();
        expect(d.cardChange).toBeNull();
      }
    }
  });

  it('each row alone, on bare facts, neither throws nor approves a purchase it cannot check', () => {
    for (const rule of AUTHORIZATION_RULES) {
      for (const r of REQUESTS) {
        expect(() => decideAuthorization(bare(r), [rule]), rule.id).not.toThrow();
      }
    }
    const overLimitRow = AUTHORIZATION_RULES.find((r) => r.id === 'over_limit')!;
    expect(decideAuthorization(bare({}), [overLimitRow]).reason).toBe('over_limit');
  });

  it('the order decides which row wins, not whether a decision is reached', () => {
    const reasons = new Set(orders.map((order) => decideAuthorization(full({ eci: '05' }), order).reason));
    // Several rows match these facts (authentication failed, required, over the limit): each order picks its first.
    expect(reasons.size).toBeGreaterThan(1);
    for (const reason of reasons) expect(['authentication_failed', 'authentication_required']).toContain(reason);
  });
});
