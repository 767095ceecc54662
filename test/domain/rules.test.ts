// SPEC §4 as data: decideAuthorization on facts, no I/O. The first matching rule decides, so each
// case below also shows which rule wins when several would match.
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import { AUTHORIZATION_RULES, decideAuthorization, type AuthorizationFacts, type CardState } from '../../src/domain/rules.js';

const NOW = Date.UTC(2026, 10, 23, 9);

const request = (o: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  mti: '0100', pan: '4657810000000000', expiry: '2911', cvv2: '123', processingCode: '000000', amount: 10_000,
  currency: '414', transmissionTime: '2026-11-23T09:00:00Z', stan: '000001', rrn: '633000000001', mcc: '5732',
  posEntryMode: '812', posConditionCode: '59', acquirerId: '412345', merchantId: 'M-1', merchantName: 'Shop',
  merchantCountry: 'KW', ...o,
});

interface Case {
  request?: Partial<AuthorizationRequest>;
  card?: { status: CardState; expiry: string } | null;
  status?: CardState;
  cvv2Matches?: boolean | null;
  billingFils?: number | null;
  account?: Partial<NonNullable<AuthorizationFacts['account']>>;
  product?: Partial<AuthorizationFacts['product']>;
  authentication?: AuthorizationFacts['authentication'];
  nowMs?: number;
}

function facts(c: Case = {}): AuthorizationFacts {
  const req = request(c.request);
  return {
    request: req,
    card: c.card === undefined ? { status: c.status ?? 'active', expiry: '2911' } : c.card,
    cvv2Matches: c.cvv2Matches === undefined ? true : c.cvv2Matches,
    product: { blockedMccs: ['6010', '6011', '6051', '4829'], allowMailOrder: false, overLimitMarginPercent: 20, threeDsThresholdFils: null, ...c.product },
    billingFils: c.billingFils === undefined ? req.amount : c.billingFils,
    account: { limitFils: 100_000, postedFils: 0, heldFils: 0, overLimitEnabled: true, overLimitUsed: false, ...c.account },
    authentication: c.authentication ?? 'none',
    nowMs: c.nowMs ?? NOW,
  };
}

const ATM = { processingCode: '010000', mcc: '6011', posEntryMode: '051', terminalType: 'atm', pinPresent: true };

describe('decideAuthorization: one case per row', () => {
  it.each<[string, Case, string, string]>([
    ['approved web purchase', {}, '00', 'approved'],
    ['approved credential on file without CVV2', { request: { posEntryMode: '100', cvv2: undefined }, cvv2Matches: null }, '00', 'approved'],
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
    ['refund authorization', { request: { processingCode: '200000' } }, '57', 'transaction_not_permitted'],
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
    ['zero amount', { request: { amount: 0 } }, '13', 'invalid_amount'],
    ['negative amount', { request: { amount: -1 } }, '13', 'invalid_amount'],
    ['ECI 05 with a CAVV that does not verify', { request: { eci: '05', cavv: 'x' }, authentication: 'failed' }, '05', 'authentication_failed'],
    ['ECI 02 (Mastercard) without verification', { request: { eci: '02' } }, '05', 'authentication_failed'],
    ['above the 3-D Secure threshold, not authenticated', { product: { threeDsThresholdFils: 5_000 } }, '65', 'authentication_required'],
    ['ECI 06 (attempted) counts as not authenticated', { request: { eci: '06' }, product: { threeDsThresholdFils: 5_000 } }, '65', 'authentication_required'],
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

describe('decideAuthorization: order of the rules', () => {
  it.each<[string, Case, string]>([
    ['an unknown PAN at an ATM is invalid_card (row 2 before the channel rows)', { card: null, request: ATM }, 'invalid_card'],
    ['ATM on a lost card: channel before status', { status: 'lost', request: ATM }, 'channel_atm_or_cash'],
    ['chip on a frozen card: channel before status', { status: 'frozen', request: { posEntryMode: '051', pinPresent: true } }, 'channel_card_present'],
    ['cash processing code with chip: cash is checked first', { request: { processingCode: '010000', posEntryMode: '051' } }, 'channel_atm_or_cash'],
    ['card present and not e-commerce: card present first', { request: { posEntryMode: '021', posConditionCode: '00' } }, 'channel_card_present'],
    ['not e-commerce and a refund: channel first', { request: { posEntryMode: '011', posConditionCode: '00', processingCode: '200000' } }, 'channel_not_ecommerce'],
    ['a refund at a blocked MCC: transaction type first', { request: { processingCode: '200000', mcc: '4829' } }, 'transaction_not_permitted'],
    ['blocked MCC on a stolen card: MCC first', { status: 'stolen', request: { mcc: '6051' } }, 'mcc_blocked'],
    ['lost with a wrong CVV2: status first', { status: 'lost', cvv2Matches: false }, 'card_lost'],
    ['blocked and expired: status first', { status: 'blocked', request: { expiry: '2001' } }, 'card_blocked'],
    ['wrong expiry and wrong CVV2: expiry first', { request: { expiry: '2001' }, cvv2Matches: false }, 'expired_card'],
    ['wrong CVV2 and no rate: CVV2 first', { cvv2Matches: false, billingFils: null }, 'cvv2_mismatch'],
    ['no rate and zero amount: currency first', { billingFils: null, request: { amount: 0 } }, 'unsupported_currency'],
    ['zero amount with a failed CAVV: amount first', { request: { amount: 0, eci: '05' }, authentication: 'failed' }, 'invalid_amount'],
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
