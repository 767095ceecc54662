// Every (status × action) pair of the card lifecycle, as a table: a missing row fails the test.
import { describe, expect, it } from 'vitest';
import { decideTransition, effectiveCardStatus, type CardAction, type CardStatusName } from '../../src/domain/card-lifecycle.js';

const STATUSES: CardStatusName[] = ['active', 'frozen', 'blocked', 'lost', 'stolen', 'replaced', 'cancelled', 'expired'];
const ACTIONS: CardAction[] = ['freeze', 'unfreeze', 'report_lost', 'report_stolen', 'replace', 'cancel', 'block'];

// Expected next status; null = refused (409 invalid_transition).
const EXPECTED: Record<CardStatusName, Record<CardAction, CardStatusName | null>> = {
  active: { freeze: 'frozen', unfreeze: 'active', report_lost: 'lost', report_stolen: 'stolen', replace: 'replaced', cancel: 'cancelled', block: 'blocked' },
  frozen: { freeze: 'frozen', unfreeze: 'active', report_lost: 'lost', report_stolen: 'stolen', replace: 'replaced', cancel: 'cancelled', block: 'blocked' },
  blocked: { freeze: null, unfreeze: null, report_lost: 'lost', report_stolen: 'stolen', replace: null, cancel: null, block: 'blocked' },
  lost: { freeze: null, unfreeze: null, report_lost: 'lost', report_stolen: 'stolen', replace: 'lost', cancel: 'lost', block: null },
  stolen: { freeze: null, unfreeze: null, report_lost: null, report_stolen: 'stolen', replace: 'stolen', cancel: 'stolen', block: null },
  replaced: { freeze: null, unfreeze: null, report_lost: null, report_stolen: null, replace: null, cancel: null, block: null },
  cancelled: { freeze: null, unfreeze: null, report_lost: null, report_stolen: null, replace: null, cancel: null, block: null },
  expired: { freeze: null, unfreeze: null, report_lost: null, report_stolen: null, replace: 'replaced', cancel: 'cancelled', block: null },
};

describe('card lifecycle transitions', () => {
  const rows = STATUSES.flatMap((status) => ACTIONS.map((action) => [status, action, EXPECTED[status][action]] as const));
  it.each(rows)('%s --%s--> %s', (status, action, expected) => {
    const decision = decideTransition({ status, replacedBy: null }, action);
    if (expected === null) {
      expect(decision).toMatchObject({ ok: false, code: 'invalid_transition' });
      if (!decision.ok) expect(decision.message).toContain(status);
    } else {
      expect(decision).toMatchObject({ ok: true, next: expected });
    }
  });

  it('a repeat that changes nothing is a success without change (retries are harmless)', () => {
    expect(decideTransition({ status: 'frozen', replacedBy: null }, 'freeze')).toEqual({ ok: true, next: 'frozen', changed: false });
    expect(decideTransition({ status: 'active', replacedBy: null }, 'unfreeze')).toEqual({ ok: true, next: 'active', changed: false });
    expect(decideTransition({ status: 'lost', replacedBy: null }, 'report_lost')).toEqual({ ok: true, next: 'lost', changed: false });
  });

  it('replace and cancel always act, even when the lost/stolen status stays', () => {
    expect(decideTransition({ status: 'lost', replacedBy: null }, 'replace')).toEqual({ ok: true, next: 'lost', changed: true });
    expect(decideTransition({ status: 'stolen', replacedBy: null }, 'cancel')).toEqual({ ok: true, next: 'stolen', changed: true });
  });

  it('a card already replaced (lost, then replaced) cannot be replaced or cancelled again', () => {
    for (const action of ['replace', 'cancel'] as const) {
      const decision = decideTransition({ status: 'lost', replacedBy: 'card_new' }, action);
      expect(decision).toMatchObject({ ok: false, code: 'invalid_transition' });
      if (!decision.ok) expect(decision.message).toMatch(/already been replaced/);
    }
    // Reporting it stolen after all is still allowed: it is about the credential.
    expect(decideTransition({ status: 'lost', replacedBy: 'card_new' }, 'report_stolen')).toMatchObject({ ok: true, next: 'stolen' });
  });
});

describe('effectiveCardStatus (what an authorization acts on)', () => {
  it.each([
    ['active', 'open', 'active'], ['frozen', 'open', 'frozen'], ['lost', 'open', 'lost'],
    ['active', 'closed', 'cancelled'], ['frozen', 'closed', 'cancelled'], ['blocked', 'closed', 'cancelled'],
    ['expired', 'closed', 'cancelled'], ['lost', 'closed', 'lost'], ['stolen', 'closed', 'stolen'],
    ['replaced', 'closed', 'replaced'], ['cancelled', 'closed', 'cancelled'],
  ] as const)('%s card on an %s account → %s', (card, account, expected) => {
    expect(effectiveCardStatus(card, account)).toBe(expected);
  });
});
