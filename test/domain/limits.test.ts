// SPEC §3 as pure functions: available, the over-limit allowance, limit changes.
import { describe, expect, it } from 'vitest';
import {
  availableFils, checkLimitChange, decideLimit, outstandingFils, overLimitMarginFils, type AccountBalances,
} from '../../src/domain/limits.js';

const account = (o: Partial<AccountBalances> = {}): AccountBalances => ({
  limitFils: 100_000, postedFils: 0, heldFils: 0, overLimitEnabled: true, overLimitUsed: false, ...o,
});

describe('outstanding and available', () => {
  it.each([
    // posted, held, limit → outstanding, available
    [0, 0, 100_000, 0, 100_000],
    [40_000, 10_000, 100_000, 50_000, 50_000],
    [100_000, 0, 100_000, 100_000, 0],
    [100_000, 5_000, 100_000, 105_000, 0],         // over the limit: never below zero
    [-30_000, 0, 100_000, -30_000, 100_000],       // a credit balance never lifts spending power
    [-30_000, 10_000, 100_000, -20_000, 100_000],
    [0, 150_000, 200_000, 150_000, 50_000],
  ])('posted %i held %i limit %i → outstanding %i, available %i', (posted, held, limit, outstanding, available) => {
    const a = account({ postedFils: posted, heldFils: held, limitFils: limit });
    expect(outstandingFils(a)).toBe(outstanding);
    expect(availableFils(a)).toBe(available);
  });
});

describe('overLimitMarginFils', () => {
  it.each([
    [100_000, 20, 20_000], [200_000, 20, 40_000], [100_000, 0, 0], [100_001, 20, 20_000], [99_999, 10, 9_999],
  ])('limit %i at %i %% → %i fils (rounded down)', (limit, percent, margin) => {
    expect(overLimitMarginFils(limit, percent)).toBe(margin);
  });
});

describe('decideLimit', () => {
  it.each<[string, Partial<AccountBalances>, number, ReturnType<typeof decideLimit>]>([
    ['fits exactly in available', { heldFils: 90_000 }, 10_000, 'within_limit'],
    ['the 90 KD of the limit story', {}, 90_000, 'within_limit'],
    ['the 15 KD exceed of the limit story', { heldFils: 90_000 }, 15_000, 'over_limit_once'],
    ['one fil after the exceed', { heldFils: 105_000, overLimitUsed: true }, 1, 'declined'],
    ['exceed up to limit + margin exactly', { heldFils: 90_000 }, 30_000, 'over_limit_once'],
    ['one fil past limit + margin', { heldFils: 90_000 }, 30_001, 'declined'],
    ['allowance already used', { heldFils: 90_000, overLimitUsed: true }, 10_001, 'declined'],
    ['allowance switched off', { heldFils: 90_000, overLimitEnabled: false }, 10_001, 'declined'],
    ['a credit balance does not widen the exceed', { postedFils: -50_000 }, 120_001, 'declined'],
    ['a credit balance: the limit is the ceiling of within_limit', { postedFils: -50_000 }, 100_000, 'within_limit'],
  ])('%s', (_name, balances, amount, expected) => {
    expect(decideLimit(account(balances), amount, 20)).toBe(expected);
  });

  it('uses the margin percent it is given', () => {
    expect(decideLimit(account({ heldFils: 100_000 }), 10_000, 10)).toBe('over_limit_once');
    expect(decideLimit(account({ heldFils: 100_000 }), 10_001, 10)).toBe('declined');
    expect(decideLimit(account({ heldFils: 100_000 }), 1, 0)).toBe('declined');
  });
});

describe('checkLimitChange', () => {
  const allowed = [100_000, 200_000];
  it.each<[string, Partial<AccountBalances>, number, ReturnType<typeof checkLimitChange>]>([
    ['increase', {}, 200_000, 'ok'],
    ['decrease with nothing owed', { limitFils: 200_000 }, 100_000, 'ok'],
    ['decrease to exactly the outstanding', { limitFils: 200_000, postedFils: 60_000, heldFils: 40_000 }, 100_000, 'ok'],
    ['decrease below the outstanding', { limitFils: 200_000, postedFils: 60_000, heldFils: 40_001 }, 100_000, 'below_outstanding'],
    ['same value', {}, 100_000, 'unchanged'],
    ['a value the product does not offer', {}, 150_000, 'not_allowed'],
    ['zero', {}, 0, 'not_allowed'],
  ])('%s', (_name, balances, limit, expected) => {
    expect(checkLimitChange(account(balances), limit, allowed)).toBe(expected);
  });
});
