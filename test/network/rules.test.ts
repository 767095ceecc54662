// One test per row of the SPEC §4 table (3-D Secure rows in three-ds tests), through real HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Awaited<ReturnType<Harness['cardholder']>>;

beforeAll(async () => {
  holder = await h.cardholder(200_000);
});

async function expectDecision(overrides: Record<string, unknown>, responseCode: string, reason: string, card = holder) {
  const res = await h.authorize(card, overrides);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ responseCode, reason, approved: responseCode === '00' });
  expect(res.body.authorizationId).toMatch(/^auth_/);
  const row = await h.deps.handle.db.selectFrom('authorizations').selectAll().where('id', '=', res.body.authorizationId).executeTakeFirstOrThrow();
  expect(row.response_code).toBe(responseCode);
  expect(row.reason).toBe(reason);
  return res.body;
}

describe('SPEC §4 rules, in order', () => {
  it('approves an e-commerce purchase (entry mode 81) with an auth code', async () => {
    const body = await expectDecision({ amount: 1_000 }, '00', 'approved');
    expect(body.authCode).toMatch(/^[0-9A-Z]{6}$/);
    expect(body.billingAmount).toBe(1_000);
    expect(body.billingCurrency).toBe('414');
    expect(body.overLimit).toBe(false);
  });

  it('approves credential on file (entry mode 10) without CVV2 when the card was stored by an approved purchase there', async () => {
    const initial = await expectDecision({ amount: 1_000 }, '00', 'approved');
    await expectDecision({ amount: 1_000, posEntryMode: '100', posConditionCode: '00', cvv2: undefined, initialTransactionId: initial.authorizationId }, '00', 'approved');
    await expectDecision({ amount: 1_000, posEntryMode: '100', posConditionCode: '00', cvv2: undefined }, 'N7', 'cvv2_required');
  });

  it('approves entry mode 09 and Visa 01+59', async () => {
    await expectDecision({ amount: 500, posEntryMode: '090' }, '00', 'approved');
    await expectDecision({ amount: 500, posEntryMode: '010', posConditionCode: '59' }, '00', 'approved');
  });

  it('14 invalid_card: unknown PAN, Luhn failure', async () => {
    await expectDecision({ pan: '4657810000000018' }, '14', 'invalid_card');
    const bad = holder.pan.slice(0, 15) + String((Number(holder.pan[15]) + 1) % 10);
    await expectDecision({ pan: bad }, '14', 'invalid_card');
  });

  it('57 channel_atm_or_cash: cash processing codes and ATM MCCs', async () => {
    for (const processingCode of ['010000', '090000', '110000', '170000']) {
      await expectDecision({ processingCode }, '57', 'channel_atm_or_cash');
    }
    await expectDecision({ mcc: '6011' }, '57', 'channel_atm_or_cash');
    await expectDecision({ mcc: '6010' }, '57', 'channel_atm_or_cash');
  });

  it('57 channel_card_present: PIN, terminal types and card-present entry modes', async () => {
    await expectDecision({ pinPresent: true }, '57', 'channel_card_present');
    for (const terminalType of ['atm', 'pos', 'mpos', 'softpos']) {
      await expectDecision({ terminalType }, '57', 'channel_card_present');
    }
    for (const mode of ['02', '05', '07', '79', '80', '90', '91', '95']) {
      await expectDecision({ posEntryMode: `${mode}1`, posConditionCode: '00' }, '57', 'channel_card_present');
    }
  });

  it('57 channel_not_ecommerce: manual key entry, and mail order unless the product allows it', async () => {
    await expectDecision({ posEntryMode: '011', posConditionCode: '00' }, '57', 'channel_not_ecommerce');
    await expectDecision({ posEntryMode: '012', posConditionCode: '08' }, '57', 'channel_not_ecommerce');
    const put = await h.admin('PUT', '/v1/admin/products/internet-shopping', { allowMailOrder: true });
    expect(put.status).toBe(200);
    await expectDecision({ amount: 100, posEntryMode: '012', posConditionCode: '08' }, '00', 'approved');
    await h.admin('PUT', '/v1/admin/products/internet-shopping', { allowMailOrder: false });
  });

  it('57 transaction_not_permitted: balance inquiry, transfer, payment (a refund authorization is answered: refunds.test.ts)', async () => {
    for (const processingCode of ['300000', '400000', '500000']) {
      await expectDecision({ processingCode }, '57', 'transaction_not_permitted');
    }
  });

  it('57 mcc_blocked: the product block list', async () => {
    await expectDecision({ mcc: '6051' }, '57', 'mcc_blocked');
    await expectDecision({ mcc: '4829' }, '57', 'mcc_blocked');
    await expectDecision({ mcc: '7995' }, '57', 'mcc_blocked');
  });

  it('54 expired_card: wrong expiry', async () => {
    await expectDecision({ expiry: '2001' }, '54', 'expired_card');
  });

  it('N7 cvv2_mismatch and cvv2_required', async () => {
    const wrong = String((Number(holder.cvv2) + 1) % 1000).padStart(3, '0');
    await expectDecision({ cvv2: wrong }, 'N7', 'cvv2_mismatch');
    await expectDecision({ cvv2: undefined }, 'N7', 'cvv2_required');
  });

  it('12 unsupported_currency: no rate', async () => {
    await expectDecision({ currency: '840' }, '12', 'unsupported_currency');
    await expectDecision({ currency: '999' }, '12', 'unsupported_currency');
  });

  it('13 invalid_amount: a negative purchase, a refund of 0 (a purchase of 0 is a verification: verification.test.ts)', async () => {
    await expectDecision({ amount: -5 }, '13', 'invalid_amount');
    await expectDecision({ amount: 0, processingCode: '200000' }, '13', 'invalid_amount');
  });

  it('51 over_limit', async () => {
    await expectDecision({ amount: 900_000 }, '51', 'over_limit');
  });
});

describe('card status rows', () => {
  it('41 card_lost, 43 card_stolen, 62 card_frozen / card_blocked, 14 replaced or cancelled, 54 expired status', async () => {
    const statuses: Array<[string, string, string]> = [
      ['lost', '41', 'card_lost'], ['stolen', '43', 'card_stolen'], ['frozen', '62', 'card_frozen'],
      ['blocked', '62', 'card_blocked'], ['replaced', '14', 'invalid_card'], ['cancelled', '14', 'invalid_card'],
      ['expired', '54', 'expired_card'],
    ];
    for (const [status, code, reason] of statuses) {
      const other = await h.cardholder();
      await h.deps.handle.db.updateTable('cards').set({ status: status as never }).where('id', '=', other.card.id).execute();
      await expectDecision({ amount: 100 }, code, reason, other);
    }
  });

  it('channel rows come before card status: an ATM attempt on a lost card is channel_atm_or_cash', async () => {
    const other = await h.cardholder();
    await h.deps.handle.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', other.card.id).execute();
    await expectDecision({ mcc: '6011', processingCode: '010000' }, '57', 'channel_atm_or_cash', other);
  });

  it('a card past its expiry month is declined 54', async () => {
    const other = await h.cardholder();
    const saved = h.clock.now();
    h.clock.set(Date.UTC(2030, 0, 1));
    await expectDecision({ amount: 100 }, '54', 'expired_card', other);
    h.clock.set(saved + 60_000);
  });
});
});
