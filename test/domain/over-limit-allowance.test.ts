// SPEC §3's over-limit allowance as one transition: every (state × event) pair, as a table.
import { describe, expect, it } from 'vitest';
import {
  canSpendOverLimit, canSwitchOverLimit, FRESH_OVER_LIMIT_ALLOWANCE, nextAllowance, type OverLimitAllowance, type OverLimitEvent,
} from '../../src/domain/over-limit-allowance.js';

const T = 1_700_000_000_000;
const FRESH: OverLimitAllowance = { ...FRESH_OVER_LIMIT_ALLOWANCE };
const OFF: OverLimitAllowance = { enabled: false, used: false, usedByAuthorizationId: null, usedAtMs: null };
const SPENT: OverLimitAllowance = { enabled: true, used: true, usedByAuthorizationId: 'auth_over', usedAtMs: T };
/** Spent, then switched off is refused; this is spent while on, by an account carried over. */
const CARRIED_SPENT: OverLimitAllowance = { enabled: true, used: true, usedByAuthorizationId: null, usedAtMs: null };
const SPENT_OFF: OverLimitAllowance = { enabled: false, used: true, usedByAuthorizationId: 'auth_over', usedAtMs: T };

const STATES = { FRESH, OFF, SPENT, CARRIED_SPENT, SPENT_OFF } as const;
type StateName = keyof typeof STATES;

const EVENTS = {
  approved_over_limit: { type: 'approved_over_limit', authorizationId: 'auth_new', atMs: T + 1 },
  fully_reversed_spender: { type: 'fully_reversed', authorizationId: 'auth_over' },
  fully_reversed_other: { type: 'fully_reversed', authorizationId: 'auth_other' },
  expired_spender: { type: 'expired', authorizationId: 'auth_over' },
  carried_to_new_account: { type: 'carried_to_new_account' },
  switched_on: { type: 'switched', enabled: true },
  switched_off: { type: 'switched', enabled: false },
} as const satisfies Record<string, OverLimitEvent>;
type EventName = keyof typeof EVENTS;

const NEW_SPENT: OverLimitAllowance = { enabled: true, used: true, usedByAuthorizationId: 'auth_new', usedAtMs: T + 1 };
const ERROR = 'throws' as const;

// Expected next state; 'throws' = a bug in the caller (spending what is not there).
const EXPECTED: Record<StateName, Record<EventName, OverLimitAllowance | typeof ERROR>> = {
  FRESH: {
    approved_over_limit: NEW_SPENT, fully_reversed_spender: FRESH, fully_reversed_other: FRESH, expired_spender: FRESH,
    carried_to_new_account: FRESH, switched_on: FRESH, switched_off: OFF,
  },
  OFF: {
    approved_over_limit: ERROR, fully_reversed_spender: OFF, fully_reversed_other: OFF, expired_spender: OFF,
    // A new account starts switched on, whatever the earlier one's switch said.
    carried_to_new_account: FRESH, switched_on: FRESH, switched_off: OFF,
  },
  SPENT: {
    approved_over_limit: ERROR, fully_reversed_spender: FRESH, fully_reversed_other: SPENT, expired_spender: SPENT,
    carried_to_new_account: CARRIED_SPENT, switched_on: SPENT, switched_off: SPENT,
  },
  CARRIED_SPENT: {
    // No reversal on this account gives back what an earlier account spent.
    approved_over_limit: ERROR, fully_reversed_spender: CARRIED_SPENT, fully_reversed_other: CARRIED_SPENT, expired_spender: CARRIED_SPENT,
    carried_to_new_account: CARRIED_SPENT, switched_on: CARRIED_SPENT, switched_off: CARRIED_SPENT,
  },
  SPENT_OFF: {
    approved_over_limit: ERROR, fully_reversed_spender: OFF, fully_reversed_other: SPENT_OFF, expired_spender: SPENT_OFF,
    carried_to_new_account: CARRIED_SPENT, switched_on: SPENT_OFF, switched_off: SPENT_OFF,
  },
};

describe('nextAllowance: every state × event', () => {
  const rows = (Object.keys(STATES) as StateName[]).flatMap((s) => (Object.keys(EVENTS) as EventName[]).map((e) => [s, e, EXPECTED[s][e]] as const));
  it.each(rows)('%s --%s--> %o', (stateName, eventName, expected) => {
    const state = STATES[stateName];
    const before = { ...state };
    if (expected === ERROR) {
      expect(() => nextAllowance(state, EVENTS[eventName])).toThrow('not there to spend');
    } else {
      expect(nextAllowance(state, EVENTS[eventName])).toEqual(expected);
    }
    expect(state).toEqual(before); // pure: the state handed in is left as it was
  });
});

describe('what the cardholder and the limit rule may do', () => {
  it.each<[StateName, boolean, boolean]>([
    ['FRESH', true, true], ['OFF', false, true], ['SPENT', false, false], ['CARRIED_SPENT', false, false], ['SPENT_OFF', false, false],
  ])('%s: spend %s, switch %s', (name, spend, switchable) => {
    expect(canSpendOverLimit(STATES[name])).toBe(spend);
    expect(canSwitchOverLimit(STATES[name])).toBe(switchable);
  });
});

describe('the allowance\'s story (SPEC §3)', () => {
  it('spent once, not back on expiry, back on the spender\'s full reversal, spent again', () => {
    let a: OverLimitAllowance = FRESH;
    a = nextAllowance(a, { type: 'approved_over_limit', authorizationId: 'auth_1', atMs: T });
    a = nextAllowance(a, { type: 'expired', authorizationId: 'auth_1' });
    expect(a).toMatchObject({ used: true, usedByAuthorizationId: 'auth_1' });
    a = nextAllowance(a, { type: 'fully_reversed', authorizationId: 'auth_1' });
    expect(a).toEqual(FRESH);
    a = nextAllowance(a, { type: 'approved_over_limit', authorizationId: 'auth_2', atMs: T + 5 });
    expect(a).toEqual({ enabled: true, used: true, usedByAuthorizationId: 'auth_2', usedAtMs: T + 5 });
    expect(nextAllowance(a, { type: 'carried_to_new_account' })).toEqual(CARRIED_SPENT);
  });
});
