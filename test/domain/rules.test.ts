// SPEC §4 as data: decideAuthorization on facts, no I/O. The first matching rule decides, so each
// case below also shows which rule wins when several would match.
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { DOMAIN_NOW_MS, domainRequest } from '../support/domain-request.js';
import {
  AUTHORIZATION_RULES, authorizationKind, countsTowardCardTesting, decideAuthorization, notifiesCardholder, provesCard, type AuthorizationFacts, type CardState,
} from '../../src/domain/rules.js';

const NOW = DOMAIN_NOW_MS;
const request = domainRequest;

interface Case {
  request?: Partial<AuthorizationRequest>;
  card?: { status: CardState; expiry: string } | null;
  status?: CardState;
  cvv2Matches?: boolean | null;
  billingFils?: number | null;
  account?: Partial<NonNullable<AuthorizationFacts['account']>>;
  product?: Partial<AuthorizationFacts['product']>;
  authentication?: AuthorizationFacts['authentication'];
  accountOpen?: boolean;
  storedCredential?: boolean;
  nowMs?: number;
}

function facts(c: Case = {}): AuthorizationFacts {
  const req = request(c.request);
  return {
    authorizationId: 'auth_1',
    request: req,
    card: c.card === undefined ? { status: c.status ?? 'active', expiry: '2911' } : c.card,
    cvv2Matches: c.cvv2Matches === undefined ? true : c.cvv2Matches,
    product: { blockedMccs: ['6010', '6011', '6051', '4829', '7995'], allowMailOrder: false, overLimitMarginPercent: 20, threeDsThresholdFils: null, ...c.product },
    billingFils: c.billingFils === undefined ? req.amount : c.billingFils,
    account: { limitFils: 100_000, postedFils: 0, heldFils: 0, overLimitEnabled: true, overLimitUsed: false,
      overLimitAuthorizationId: null, overLimitUsedAtMs: null, ...c.account },
    authentication: c.authentication ?? 'none',
    accountOpen: c.accountOpen ?? true,
    storedCredential: c.storedCredential ?? false,
    nowMs: c.nowMs ?? NOW,
  };
}

const ATM = { processingCode: '010000', mcc: '6011', posEntryMode: '051', terminalType: 'atm', pinPresent: true };

describe('decideAuthorization: one case per row', () => {
  it.each<[string, Case, string, string]>([
    ['approved web purchase', {}, '00', 'approved'],
    ['approved credential on file without CVV2, stored by an approval here', { request: { posEntryMode: '100', cvv2: undefined, initialTransactionId: 'auth_1' }, cvv2Matches: null, storedCredential: true }, '00', 'approved'],
    ['credential on file without CVV2 and no stored credential', { request: { posEntryMode: '100', cvv2: undefined, initialTransactionId: 'auth_1' }, cvv2Matches: null }, 'N7', 'cvv2_required'],
    ['credential on file with a wrong CVV2, stored credential or not', { request: { posEntryMode: '100', initialTransactionId: 'auth_1' }, cvv2Matches: false, storedCredential: true }, 'N7', 'cvv2_mismatch'],
    ['a stored credential waives CVV2 only on entry mode 10', { request: { cvv2: undefined, initialTransactionId: 'auth_1' }, cvv2Matches: null, storedCredential: true }, 'N7', 'cvv2_required'],
    ['approved 01 + 59 (Visa e-commerce)', { request: { posEntryMode: '012', posConditionCode: '59' } }, '00', 'approved'],
    ['approved over the limit, once', { account: { heldFils: 95_000 } }, '00', 'approved_over_limit'],
    ['unknown PAN', { card: null, cvv2Matches: false }, '14', 'invalid_card'],
    ['replaced card', { status: 'replaced' }, '14', 'invalid_card'],
    ['cancelled card', { status: 'cancelled' }, '14', 'invalid_card'],
    ['cash processing code', { request: { processingCode: '170000' } }, '57', 'channel_atm_or_cash'],
    ['ATM MCC', { request: { mcc: '6010' } }, '57', 'channel_atm_or_cash'],
    ['PIN present', { request: { pinPresent: true } }, '57', 'channel_card_present'],
    ['softpos terminal', { request: { terminalType: 'softpos' } }, '57', 'channel_card_present'],
    ['terminal type in capitals', { request: { terminalType: 'POS' } }, '57', 'channel_card_present'],
    ['contactless entry mode', { request: { posEntryMode: '071' } }, '57', 'channel_card_present'],
    ['manual key entry', { request: { posEntryMode: '011', posConditionCode: '00' } }, '57', 'channel_not_ecommerce'],
    ['mail order, product forbids', { request: { posEntryMode: '011', posConditionCode: '08' } }, '57', 'channel_not_ecommerce'],
    ['mail order, product allows', { request: { posEntryMode: '011', posConditionCode: '08' }, product: { allowMailOrder: true } }, '00', 'approved'],
    ['balance inquiry', { request: { processingCode: '310000' } }, '57', 'transaction_not_permitted'],
    ['transfer', { request: { processingCode: '400000' } }, '57', 'transaction_not_permitted'],
    ['blocked MCC', { request: { mcc: '4829' } }, '57', 'mcc_blocked'],
    ['lost', { status: 'lost' }, '41', 'card_lost'],
    ['stolen', { status: 'stolen' }, '43', 'card_stolen'],
    ['frozen', { status: 'frozen' }, '62', 'card_frozen'],
    ['blocked', { status: 'blocked' }, '62', 'card_blocked'],
    ['expired status', { status: 'expired' }, '54', 'expired_card'],
    ['wrong expiry', { request: { expiry: '2912' } }, '54', 'expired_card'],
    ['past the expiry month', { nowMs: Date.UTC(2029, 11, 1) }, '54', 'expired_card'],
    ['CVV2 wrong', { cvv2Matches: false }, 'N7', 'cvv2_mismatch'],
    ['CVV2 missing on e-commerce', { request: { cvv2: undefined }, cvv2Matches: null }, 'N7', 'cvv2_required'],
    ['CVV2 missing on mail order', { request: { posEntryMode: '011', posConditionCode: '08', cvv2: undefined }, cvv2Matches: null, product: { allowMailOrder: true } }, 'N7', 'cvv2_required'],
    ['CVV2 missing with the CAVV of an approved challenge', { request: { cvv2: undefined, eci: '05', cavv: 'x' }, cvv2Matches: null, authentication: 'challenge' }, '00', 'approved'],
    ['CVV2 missing with a frictionless CAVV: only a challenge waives CVV2', { request: { cvv2: undefined, eci: '05', cavv: 'x' }, cvv2Matches: null, authentication: 'frictionless' }, 'N7', 'cvv2_required'],
    ['CVV2 missing with a CAVV that does not verify', { request: { cvv2: undefined, eci: '05', cavv: 'x' }, cvv2Matches: null, authentication: 'failed' }, 'N7', 'cvv2_required'],
    ['no rate', { billingFils: null, request: { currency: '840' } }, '12', 'unsupported_currency'],
    ['gambling MCC (blocked by default)', { request: { mcc: '7995' } }, '57', 'mcc_blocked'],
    ['negative amount', { request: { amount: -1 } }, '13', 'invalid_amount'],
    ['ECI 05 with a CAVV that does not verify', { request: { eci: '05', cavv: 'x' }, authentication: 'failed' }, '05', 'authentication_failed'],
    ['ECI 02 (Mastercard) without verification', { request: { eci: '02' } }, '05', 'authentication_failed'],
    ['above the 3-D Secure threshold, not authenticated (Visa)', { product: { threeDsThresholdFils: 5_000 } }, '1A', 'authentication_required'],
    ['above the 3-D Secure threshold, not authenticated (Mastercard)', { request: { pan: '5412750000000000' }, product: { threeDsThresholdFils: 5_000 } }, '65', 'authentication_required'],
    ['ECI 06 (attempted) counts as not authenticated', { request: { eci: '06' }, product: { threeDsThresholdFils: 5_000 } }, '1A', 'authentication_required'],
    ['no rate above a threshold: 12 comes first', { request: { eci: '06' }, billingFils: null, product: { threeDsThresholdFils: 5_000 } }, '12', 'unsupported_currency'],
    ['above the threshold, authenticated by a challenge', { request: { eci: '05', cavv: 'x' }, authentication: 'challenge', product: { threeDsThresholdFils: 5_000 } }, '00', 'approved'],
    ['above the threshold, authenticated frictionless, with CVV2', { request: { eci: '05', cavv: 'x' }, authentication: 'frictionless', product: { threeDsThresholdFils: 5_000 } }, '00', 'approved'],
    ['over the limit after the exceed', { account: { heldFils: 95_000, overLimitUsed: true } }, '51', 'over_limit'],
    ['past limit + margin', { account: { heldFils: 95_000 }, request: { amount: 25_001 } }, '51', 'over_limit'],
  ])('%s → %s %s', (_name, c, code, reason) => {
    const d = decideAuthorization(facts(c));
    expect({ responseCode: d.responseCode, reason: d.reason, approved: d.approved }).toEqual({ responseCode: code, reason, approved: code === '00' });
    expect(d.overLimit).toBe(reason === 'approved_over_limit');
    expect(d.ruleId).toBe(reason);
  });
});

const REFUND = { processingCode: '200000', cvv2: undefined };

describe('refund authorizations (processing code 20): the 14, channel and 13 rows, nothing else', () => {
  it.each<[string, Case, string, string]>([
    ['a refund', { request: REFUND, cvv2Matches: null }, '00', 'refund_approved'],
    ['a refund with processing code 200030', { request: { ...REFUND, processingCode: '200030' }, cvv2Matches: null }, '00', 'refund_approved'],
    ['unknown PAN', { request: REFUND, card: null }, '14', 'invalid_card'],
    ['a cancelled card', { request: REFUND, status: 'cancelled' }, '14', 'invalid_card'],
    ['a replaced card on an open account: the refund still reaches it', { request: REFUND, status: 'replaced' }, '00', 'refund_approved'],
    ['a replaced card on a closed account', { request: REFUND, status: 'replaced', accountOpen: false }, '14', 'invalid_card'],
    ['a lost card on a closed account', { request: REFUND, status: 'lost', accountOpen: false }, '14', 'invalid_card'],
    ['ATM MCC', { request: { ...REFUND, mcc: '6011' } }, '57', 'channel_atm_or_cash'],
    ['card present (chip)', { request: { ...REFUND, posEntryMode: '051' } }, '57', 'channel_card_present'],
    ['card present (PIN)', { request: { ...REFUND, pinPresent: true } }, '57', 'channel_card_present'],
    ['not e-commerce (keyed)', { request: { ...REFUND, posEntryMode: '011', posConditionCode: '00' } }, '57', 'channel_not_ecommerce'],
    ['amount 0', { request: { ...REFUND, amount: 0 } }, '13', 'invalid_amount'],
    ['negative amount', { request: { ...REFUND, amount: -5 } }, '13', 'invalid_amount'],
    // Every other row is skipped: the cardholder gets the money back whatever the card's state.
    ['blocked MCC', { request: { ...REFUND, mcc: '7995' }, product: { blockedMccs: ['7995'] } }, '00', 'refund_approved'],
    ...(['lost', 'stolen', 'frozen', 'blocked', 'expired'] as const)
      .map((status): [string, Case, string, string] => [`a ${status} card`, { request: REFUND, status }, '00', 'refund_approved']),
    ['wrong expiry', { request: { ...REFUND, expiry: '2001' } }, '00', 'refund_approved'],
    ['past the expiry month', { request: REFUND, nowMs: Date.UTC(2030, 0, 1) }, '00', 'refund_approved'],
    ['wrong CVV2', { request: { ...REFUND, cvv2: '999' }, cvv2Matches: false }, '00', 'refund_approved'],
    ['no rate', { request: { ...REFUND, currency: '840' }, billingFils: null }, '00', 'refund_approved'],
    ['ECI 05 whose CAVV fails', { request: { ...REFUND, eci: '05', cavv: 'x' }, authentication: 'failed' }, '00', 'refund_approved'],
    ['above the 3-D Secure threshold', { request: REFUND, product: { threeDsThresholdFils: 1 } }, '00', 'refund_approved'],
    ['over the limit', { request: { ...REFUND, amount: 500_000 }, account: { heldFils: 100_000, overLimitUsed: true } }, '00', 'refund_approved'],
  ])('%s → %s %s', (_name, c, code, reason) => {
    const d = decideAuthorization(facts(c));
    expect({ responseCode: d.responseCode, reason: d.reason, approved: d.approved, ruleId: d.ruleId, overLimit: d.overLimit })
      .toEqual({ responseCode: code, reason, approved: code === '00', ruleId: reason, overLimit: false });
  });
});

const VERIFY = { amount: 0 };

describe('account verification (amount 0, processing code 00): every row but 51, answered 85', () => {
  it.each<[string, Case, string, string]>([
    ['a verification', { request: VERIFY }, '85', 'verified'],
    ['a verification over the limit: 51 does not apply', { request: VERIFY, account: { heldFils: 150_000, overLimitUsed: true } }, '85', 'verified'],
    ['a verification on credential on file with a stored credential', { request: { ...VERIFY, posEntryMode: '100', cvv2: undefined, initialTransactionId: 'a' }, cvv2Matches: null, storedCredential: true }, '85', 'verified'],
    ['unknown PAN', { request: VERIFY, card: null }, '14', 'invalid_card'],
    ['a replaced card', { request: VERIFY, status: 'replaced' }, '14', 'invalid_card'],
    ['ATM', { request: { ...VERIFY, ...ATM } }, '57', 'channel_atm_or_cash'],
    ['chip', { request: { ...VERIFY, posEntryMode: '051' } }, '57', 'channel_card_present'],
    ['keyed', { request: { ...VERIFY, posEntryMode: '011', posConditionCode: '00' } }, '57', 'channel_not_ecommerce'],
    ['blocked MCC', { request: { ...VERIFY, mcc: '6051' } }, '57', 'mcc_blocked'],
    ['lost', { request: VERIFY, status: 'lost' }, '41', 'card_lost'],
    ['stolen', { request: VERIFY, status: 'stolen' }, '43', 'card_stolen'],
    ['frozen', { request: VERIFY, status: 'frozen' }, '62', 'card_frozen'],
    ['blocked', { request: VERIFY, status: 'blocked' }, '62', 'card_blocked'],
    ['wrong expiry', { request: { ...VERIFY, expiry: '2001' } }, '54', 'expired_card'],
    ['wrong CVV2', { request: VERIFY, cvv2Matches: false }, 'N7', 'cvv2_mismatch'],
    ['no CVV2', { request: { ...VERIFY, cvv2: undefined }, cvv2Matches: null }, 'N7', 'cvv2_required'],
    ['no rate', { request: { ...VERIFY, currency: '840' }, billingFils: null }, '12', 'unsupported_currency'],
    ['ECI 05 whose CAVV fails', { request: { ...VERIFY, eci: '05', cavv: 'x' }, authentication: 'failed' }, '05', 'authentication_failed'],
    ['a threshold of 0, not authenticated', { request: VERIFY, billingFils: 0, product: { threeDsThresholdFils: 0 } }, '1A', 'authentication_required'],
  ])('%s → %s %s', (_name, c, code, reason) => {
    const d = decideAuthorization(facts(c));
    expect({ responseCode: d.responseCode, reason: d.reason, approved: d.approved, ruleId: d.ruleId })
      .toEqual({ responseCode: code, reason, approved: false, ruleId: reason });
  });

  it('a negative amount on a purchase is still 13, not a verification', () => {
    expect(authorizationKind({ processingCode: '000000', amount: -1 })).toBe('purchase');
    expect(decideAuthorization(facts({ request: { amount: -1 } })).reason).toBe('invalid_amount');
  });

  it('kinds: 20 is a refund whatever the amount, 00 with amount 0 a verification', () => {
    expect(authorizationKind({ processingCode: '200000', amount: 0 })).toBe('refund');
    expect(authorizationKind({ processingCode: '000000', amount: 0 })).toBe('verification');
    expect(authorizationKind({ processingCode: '000000', amount: 1 })).toBe('purchase');
    expect(authorizationKind({ processingCode: '310000', amount: 0 })).toBe('purchase');
  });
});

describe('what a decision proves and who is told', () => {
  it('approved purchases and verifications prove the card; refunds and declines do not', () => {
    const proves = (c: Case) => provesCard(decideAuthorization(facts(c)));
    expect(proves({})).toBe(true);
    expect(proves({ account: { heldFils: 95_000 } })).toBe(true);
    expect(proves({ request: VERIFY })).toBe(true);
    expect(proves({ request: REFUND })).toBe(false);
    expect(proves({ cvv2Matches: false })).toBe(false);
  });

  it('an approved refund and a verification notify nobody; a purchase and a shop attempt do', () => {
    const notifies = (c: Case) => notifiesCardholder(decideAuthorization(facts(c)));
    expect(notifies({})).toBe(true);
    expect(notifies({ request: REFUND })).toBe(false);
    expect(notifies({ request: VERIFY })).toBe(false);
    expect(notifies({ request: { ...REFUND, posEntryMode: '051' } })).toBe(true);
  });
});

describe('countsTowardCardTesting: a wrong value counts, a card past its month sent with the right one does not', () => {
  it.each([
    ['a wrong CVV2', 'cvv2_mismatch', '2911', '2911', true],
    ['a wrong expiry', 'expired_card', '2911', '2812', true],
    ['a card past its month, sent with its own expiry', 'expired_card', '2401', '2401', false],
    ['a missing CVV2', 'cvv2_required', '2911', '2911', false],
    ['an approval', 'approved', '2911', '2911', false],
    ['a frozen card', 'card_frozen', '2911', '2812', false],
  ])('%s', (_name, ruleId, cardExpiry, requestExpiry, counts) => {
    expect(countsTowardCardTesting({ ruleId }, { expiry: cardExpiry }, { expiry: requestExpiry })).toBe(counts);
  });
});

describe('rules are safe to reorder: a row never relies on an earlier one', () => {
  // Facts that only the first row would stop (no card, no account, no billing amount) reach each
  // later row alone; none may throw, and the over-limit and threshold rows decline what they cannot check.
  const bare = (c: Case): AuthorizationFacts => ({ ...facts(c), card: null, account: null, billingFils: null });
  it.each(AUTHORIZATION_RULES.map((r) => [r.id, r] as const))('%s alone', (_id, rule) => {
    for (const request of [{}, REFUND, VERIFY]) {
      expect(() => decideAuthorization(bare({ request, product: { threeDsThresholdFils: 1 } }), [rule])).not.toThrow();
    }
  });
  it('reversed, the list still decides every row case without a crash', () => {
    const reversed = [...AUTHORIZATION_RULES].reverse();
    expect(decideAuthorization(facts({ card: null }), reversed).approved).toBe(false);
    expect(decideAuthorization(facts({ account: { heldFils: 200_000, overLimitUsed: true } }), reversed).reason).toBe('over_limit');
    expect(decideAuthorization({ ...facts(), account: null }, [AUTHORIZATION_RULES.at(-1)!]).reason).toBe('over_limit');
  });
});

describe('decideAuthorization: order of the rules', () => {
  it.each<[string, Case, string]>([
    ['an unknown PAN at an ATM is invalid_card (row 2 before the channel rows)', { card: null, request: ATM }, 'invalid_card'],
    ['ATM on a lost card: channel before status', { status: 'lost', request: ATM }, 'channel_atm_or_cash'],
    ['chip on a frozen card: channel before status', { status: 'frozen', request: { posEntryMode: '051', pinPresent: true } }, 'channel_card_present'],
    ['cash processing code with chip: cash is checked first', { request: { processingCode: '010000', posEntryMode: '051' } }, 'channel_atm_or_cash'],
    ['card present and not e-commerce: card present first', { request: { posEntryMode: '021', posConditionCode: '00' } }, 'channel_card_present'],
    ['not e-commerce and a refund: channel first', { request: { posEntryMode: '011', posConditionCode: '00', processingCode: '200000' } }, 'channel_not_ecommerce'],
    ['a balance inquiry at a blocked MCC: transaction type first', { request: { processingCode: '310000', mcc: '4829' } }, 'transaction_not_permitted'],
    ['a refund of 0 at an ATM: channel first', { request: { processingCode: '200000', amount: 0, mcc: '6011' } }, 'channel_atm_or_cash'],
    ['a refund of 0 on a cancelled card: 14 first', { request: { processingCode: '200000', amount: 0 }, status: 'cancelled' }, 'invalid_card'],
    ['a verification over the limit with a wrong CVV2: CVV2', { request: { amount: 0 }, cvv2Matches: false, account: { heldFils: 150_000, overLimitUsed: true } }, 'cvv2_mismatch'],
    ['blocked MCC on a stolen card: MCC first', { status: 'stolen', request: { mcc: '6051' } }, 'mcc_blocked'],
    ['lost with a wrong CVV2: status first', { status: 'lost', cvv2Matches: false }, 'card_lost'],
    ['blocked and expired: status first', { status: 'blocked', request: { expiry: '2001' } }, 'card_blocked'],
    ['wrong expiry and wrong CVV2: expiry first', { request: { expiry: '2001' }, cvv2Matches: false }, 'expired_card'],
    ['wrong CVV2 and no rate: CVV2 first', { cvv2Matches: false, billingFils: null }, 'cvv2_mismatch'],
    ['no rate and negative amount: currency first', { billingFils: null, request: { amount: -1 } }, 'unsupported_currency'],
    ['negative amount with a failed CAVV: amount first', { request: { amount: -1, eci: '05' }, authentication: 'failed' }, 'invalid_amount'],
    ['failed CAVV above the threshold: authentication_failed first', { request: { eci: '05' }, authentication: 'failed', product: { threeDsThresholdFils: 1 } }, 'authentication_failed'],
    ['over the limit and not authenticated above threshold: 65 first', { account: { heldFils: 100_000, overLimitUsed: true }, product: { threeDsThresholdFils: 1 } }, 'authentication_required'],
  ])('%s', (_name, c, reason) => {
    expect(decideAuthorization(facts(c)).reason).toBe(reason);
  });

  it('the rule list is the SPEC table order', () => {
    expect(AUTHORIZATION_RULES.map((r) => r.id)).toEqual([
      'invalid_card', 'channel_atm_or_cash', 'channel_card_present', 'channel_not_ecommerce', 'transaction_not_permitted',
      'mcc_blocked', 'card_lost', 'card_stolen', 'card_frozen', 'card_blocked', 'expired_card', 'cvv2_mismatch',
      'cvv2_required', 'unsupported_currency', 'invalid_amount', 'authentication_failed', 'authentication_required', 'over_limit',
    ]);
  });

  it('rules are data: a caller-supplied list is evaluated in its own order', () => {
    const custom = [
      { id: 'always_first', responseCode: '05', reason: 'do_not_honour', when: () => true },
      ...AUTHORIZATION_RULES,
    ];
    expect(decideAuthorization(facts(), custom)).toMatchObject({ ruleId: 'always_first', responseCode: '05', approved: false });
    expect(decideAuthorization(facts(), [])).toMatchObject({ approved: true, reason: 'approved' });
  });
});
