// decideAdvice: the network's decision stands; review when the issuer would have decided otherwise.
import { describe, expect, it } from 'vitest';
import { decideAdvice, type AdviceFacts } from '../../src/domain/advice.js';

const account = { limitFils: 100_000, postedFils: 0, heldFils: 90_000, overLimitEnabled: true, overLimitUsed: false };
const base: AdviceFacts = {
  networkResponseCode: '00', processingCode: '000000', billingFils: 5_000, account, issuer: { approved: true }, replacesSettled: false,
};

describe('decideAdvice', () => {
  it.each([
    ['approved, the issuer agrees', {}, { approved: true, holdFils: 5_000, overLimit: false, needsReview: false, reason: 'approved' }],
    ['approved, the issuer would have declined', { issuer: { approved: false } }, { approved: true, holdFils: 5_000, needsReview: true }],
    ['declined, the issuer agrees', { networkResponseCode: '05', issuer: { approved: false } }, { approved: false, holdFils: 0, needsReview: false, ruleId: 'advice_declined' }],
    ['declined, the issuer would have approved', { networkResponseCode: '51' }, { approved: false, holdFils: 0, needsReview: true }],
    ['past the limit, allowance unused and on: spends it', { billingFils: 20_000, issuer: { approved: false } }, { holdFils: 20_000, overLimit: true, reason: 'approved_over_limit' }],
    ['past the limit, allowance used: outstanding goes past', { billingFils: 20_000, account: { ...account, overLimitUsed: true } }, { holdFils: 20_000, overLimit: false }],
    ['past the limit, allowance switched off', { billingFils: 20_000, account: { ...account, overLimitEnabled: false } }, { holdFils: 20_000, overLimit: false }],
    ['within the limit never spends the allowance', { billingFils: 10_000 }, { overLimit: false }],
    ['refund: no hold, a pending refund', { processingCode: '200000' }, { approved: true, holdFils: 0, ruleId: 'refund_approved' }],
    ['no billing amount: nothing held, reviewed', { billingFils: null }, { approved: true, holdFils: 0, needsReview: true }],
    ['unknown card: nothing held, reviewed', { account: null, issuer: { approved: false } }, { holdFils: 0, needsReview: true }],
    ['replaces a settled decision: reviewed', { replacesSettled: true }, { holdFils: 5_000, needsReview: true }],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(decideAdvice({ ...base, ...overrides } as AdviceFacts)).toMatchObject(expected);
  });
});
