// What decideAuthorization changes, as values: the account's hold and over-limit allowance, and
// what it tells the card-testing guard. The store writes these as they are (no statement per flag).
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { DOMAIN_NOW_MS, domainRequest } from '../support/domain-request.js';
import { decideAuthorization, type AccountFacts, type AuthorizationFacts } from '../../src/domain/rules.js';

const NOW = DOMAIN_NOW_MS;
const request = domainRequest;

const ACCOUNT: AccountFacts = {
  limitFils: 100_000, postedFils: 0, heldFils: 0, overLimitEnabled: true, overLimitUsed: false,
  overLimitAuthorizationId: null, overLimitUsedAtMs: null,
};
const SPENT = { overLimitUsed: true, overLimitAuthorizationId: 'auth_old', overLimitUsedAtMs: NOW - 1 };

function facts(o: { request?: Partial<AuthorizationRequest>; account?: Partial<AccountFacts> | null; cvv2Matches?: boolean | null; noCard?: boolean } = {}): AuthorizationFacts {
  const req = request(o.request);
  return {
    authorizationId: 'auth_this', request: req, card: o.noCard ? null : { status: 'active', expiry: '2911' },
    cvv2Matches: o.cvv2Matches === undefined ? true : o.cvv2Matches,
    product: { blockedMccs: ['6011'], allowMailOrder: false, overLimitMarginPercent: 20, threeDsThresholdFils: null },
    billingFils: req.amount, account: o.account === null ? null : { ...ACCOUNT, ...o.account },
    authentication: 'none', accountOpen: true, storedCredential: false, nowMs: NOW,
  };
}

const UNCHANGED = { enabled: true, used: false, usedByAuthorizationId: null, usedAtMs: null };
const SPENT_BY_THIS = { enabled: true, used: true, usedByAuthorizationId: 'auth_this', usedAtMs: NOW };
const STILL_SPENT = { enabled: true, used: true, usedByAuthorizationId: 'auth_old', usedAtMs: NOW - 1 };

describe('decideAuthorization: the changes it returns', () => {
  it.each<[string, Parameters<typeof facts>[0], string, unknown, string | null]>([
    // case, facts → rule, account change, card change
    ['a purchase within the limit holds its amount', {}, 'approved', { holdFils: 10_000, overLimit: UNCHANGED }, 'card_proven'],
    ['over the limit: holds, and spends the allowance in this authorization\'s name', { account: { heldFils: 95_000 } },
      'approved_over_limit', { holdFils: 10_000, overLimit: SPENT_BY_THIS }, 'card_proven'],
    ['over the limit, allowance spent: declined, the allowance as it was', { account: { heldFils: 95_000, ...SPENT } },
      'over_limit', { holdFils: null, overLimit: STILL_SPENT }, null],
    ['over the limit, switched off: declined, nothing spent', { account: { heldFils: 95_000, overLimitEnabled: false } },
      'over_limit', { holdFils: null, overLimit: { ...UNCHANGED, enabled: false } }, null],
    ['a refund holds nothing and proves nothing', { request: { processingCode: '200000' } },
      'refund_approved', { holdFils: null, overLimit: UNCHANGED }, null],
    ['a verification holds nothing and proves the card', { request: { amount: 0 } },
      'verified', { holdFils: null, overLimit: UNCHANGED }, 'card_proven'],
    ['a wrong CVV2 counts toward the freeze', { cvv2Matches: false }, 'cvv2_mismatch', { holdFils: null, overLimit: UNCHANGED }, 'verification_failed'],
    ['a wrong expiry counts toward the freeze', { request: { expiry: '2812' } }, 'expired_card', { holdFils: null, overLimit: UNCHANGED }, 'verification_failed'],
    ['a missing CVV2 does not count', { cvv2Matches: null, request: { cvv2: undefined } }, 'cvv2_required', { holdFils: null, overLimit: UNCHANGED }, null],
    ['a chip attempt in a shop changes nothing but the chain', { request: { posEntryMode: '051' } },
      'channel_card_present', { holdFils: null, overLimit: UNCHANGED }, null],
    ['an unknown card: no account, no card to change', { noCard: true, account: null, cvv2Matches: false }, 'invalid_card', null, null],
  ])('%s', (_name, f, ruleId, accountChange, cardChange) => {
    const d = decideAuthorization(facts(f));
    expect(d.ruleId).toBe(ruleId);
    expect(d.accountChange).toEqual(accountChange);
    expect(d.cardChange).toBe(cardChange);
  });
});
