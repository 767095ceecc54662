// The card-testing guard at its boundaries (SPEC §2), through the network API: one failure short of
// the freeze leaves the card active and the next one freezes it; an approval starts the count
// again; a wrong expiry counts exactly as a wrong CVV2 does.
import { expect, it } from 'vitest';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { forEachBackend } from '../support/backends.js';
import { cardTestingState, wrongCvv2, wrongExpiry } from '../support/card-testing.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

/** One failure short of the freeze. */
const SHORT = CARD_TESTING_FREEZE_AFTER - 1;

// The names below say 4 and 5: they hold as long as the guard freezes after 5 (SPEC §2).
it('the guard freezes after 5 failures', () => {
  expect(CARD_TESTING_FREEZE_AFTER).toBe(5);
});

forEachBackend((backend) => {
  const h = useHarness(backend);

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  const wrongCvv2Purchase = async (holder: Holder, i: number) =>
    (await h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2, i), amount: 100 })).body;
  const wrongExpiryPurchase = async (holder: Holder) =>
    (await h.authorize(holder, { expiry: wrongExpiry(holder.expiry), amount: 100 })).body;
  const cardStatus = async (holder: Holder) =>
    (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body.status as string;

  it('4 wrong CVV2s in a row leave the card active; the 5th freezes it', async () => {
    const holder = await h.cardholder();
    for (let i = 0; i < SHORT; i++) expect(await wrongCvv2Purchase(holder, i)).toMatchObject({ responseCode: 'N7', reason: 'cvv2_mismatch' });
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'active', status_reason: null, verification_failures: SHORT });
    expect(await cardStatus(holder)).toBe('active');

    expect(await wrongCvv2Purchase(holder, SHORT)).toMatchObject({ responseCode: 'N7', reason: 'cvv2_mismatch' });
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
    expect(await cardStatus(holder)).toBe('frozen');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '62', reason: 'card_frozen' });
  });

  it('an approval resets the count: 4 wrong CVV2s, an approval, then 4 more leave the card active', async () => {
    const holder = await h.cardholder();
    for (let i = 0; i < SHORT; i++) expect((await wrongCvv2Purchase(holder, i)).responseCode).toBe('N7');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '00', approved: true });
    expect((await cardTestingState(h, holder.card.id)).verification_failures).toBe(0);
    for (let i = 0; i < SHORT; i++) expect((await wrongCvv2Purchase(holder, SHORT + i)).responseCode).toBe('N7');
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'active', status_reason: null, verification_failures: SHORT });
    expect(await cardStatus(holder)).toBe('active');
    expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
  });

  it('a wrong expiry counts like a wrong CVV2: 4 leave the card active; the 5th freezes it', async () => {
    const holder = await h.cardholder();
    for (let i = 0; i < SHORT; i++) expect(await wrongExpiryPurchase(holder)).toMatchObject({ responseCode: '54', reason: 'expired_card' });
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'active', status_reason: null, verification_failures: SHORT });
    expect(await cardStatus(holder)).toBe('active');

    expect(await wrongExpiryPurchase(holder)).toMatchObject({ responseCode: '54', reason: 'expired_card' });
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
    expect(await cardStatus(holder)).toBe('frozen');
  });

  it('wrong expiries and wrong CVV2s share one count: 4 wrong CVV2s and a wrong expiry freeze the card', async () => {
    const holder = await h.cardholder();
    for (let i = 0; i < SHORT; i++) expect((await wrongCvv2Purchase(holder, i)).responseCode).toBe('N7');
    expect(await cardStatus(holder)).toBe('active');
    expect((await wrongExpiryPurchase(holder)).responseCode).toBe('54');
    expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'frozen', status_reason: 'card_testing' });
  });

  it('an approval resets a count of wrong expiries too: 4, an approval, then 4 more leave the card active', async () => {
    const holder = await h.cardholder();
    for (let i = 0; i < SHORT; i++) expect((await wrongExpiryPurchase(holder)).responseCode).toBe('54');
    expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
    for (let i = 0; i < SHORT; i++) expect((await wrongExpiryPurchase(holder)).responseCode).toBe('54');
    expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'active', status_reason: null, verification_failures: SHORT });
  });
});
