// 3-D Secure and the card-testing guard (SPEC §2, §4 CVV2 row, §7): a wrong expiry in an
// authentication request counts toward the freeze exactly as a wrong CVV2 or expiry in an
// authorization does, and only the CAVV of a challenge the cardholder approved waives CVV2.
import { beforeEach, describe, expect, it } from 'vitest';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { wrongCvv2, wrongExpiry, cardTestingState } from '../support/card-testing.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { authorizeWithCavv, readThreeDs, setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  const freezeNotes = async (cardId: string) => (await h.deps.handle.db.selectFrom('notifications').select('id')
    .where('card_id', '=', cardId).where('kind', '=', 'card_frozen').execute()).length;

  describe('a wrong expiry in 3-D Secure counts toward the card-testing freeze', () => {
    beforeEach(() => setThreeDsThreshold(h, null));

    it('5 wrong expiries freeze the card: N each time, then 62 in authorization and N in 3-D Secure', async () => {
      const holder = await h.cardholder();
      for (let i = 0; i < CARD_TESTING_FREEZE_AFTER; i++) {
        const res = await startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry) });
        expect(res.status).toBe(200);
        expect(res.body.transStatus).toBe('N');
      }
      expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
      expect(await freezeNotes(holder.card.id)).toBe(1);
      expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '62', reason: 'card_frozen' });
      expect((await startThreeDs(h, holder)).body.transStatus).toBe('N');
    });

    it('counts across authorizations and 3-D Secure alike: 3 wrong CVV2s and 2 wrong expiries freeze', async () => {
      const holder = await h.cardholder();
      for (let i = 0; i < 3; i++) expect((await h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2) })).body.responseCode).toBe('N7');
      for (let i = 0; i < 2; i++) expect((await startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry) })).body.transStatus).toBe('N');
      expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'frozen', status_reason: 'card_testing' });
    });

    it('an approval resets the count, for 3-D Secure failures too', async () => {
      const holder = await h.cardholder();
      for (let i = 0; i < 4; i++) await startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry) });
      expect((await cardTestingState(h, holder.card.id)).verification_failures).toBe(4);
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
      for (let i = 0; i < 4; i++) await startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry) });
      expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'active', verification_failures: 4 });
    });

    it('a right expiry never counts', async () => {
      const holder = await h.cardholder();
      for (let i = 0; i < 6; i++) expect((await startThreeDs(h, holder)).body.transStatus).not.toBe('N');
      expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'active', verification_failures: 0 });
    });

    it('12 concurrent wrong expiries: exactly 5 counted, one freeze, one notification', async () => {
      const holder = await h.cardholder();
      const answers = await Promise.all(Array.from({ length: 12 }, () => startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry) })));
      for (const a of answers) expect(a.body.transStatus).toBe('N');
      expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
      expect(await freezeNotes(holder.card.id)).toBe(1);
    });
  });

  describe('which CAVV waives CVV2', () => {
    /** A merchant the card knows (an approved purchase there), so a small amount is frictionless. */
    async function knownMerchant(holder: Holder) {
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
    }

    it('a frictionless CAVV does not: without CVV2 the authorization is N7 cvv2_required', async () => {
      await setThreeDsThreshold(h, null);
      const holder = await h.cardholder();
      await knownMerchant(holder);
      const res = await startThreeDs(h, holder, { amount: 10_000 });
      expect(res.body.transStatus).toBe('Y');
      const auth = await authorizeWithCavv(h, holder, res.body.cavv, { amount: 10_000 });
      expect(auth.body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_required', approved: false });
      // With its CVV2 a purchase is approved, authenticated by a frictionless CAVV.
      const again = await startThreeDs(h, holder, { amount: 10_000 });
      expect(again.body.transStatus).toBe('Y');
      const withCvv2 = await h.authorize(holder, { eci: '05', cavv: again.body.cavv, amount: 10_000 });
      expect(withCvv2.body).toMatchObject({ responseCode: '00', approved: true });
    });

    it('the CAVV of a challenge the cardholder approved does', async () => {
      await setThreeDsThreshold(h, 25_000);
      const holder = await h.cardholder();
      const res = await startThreeDs(h, holder, { amount: 30_000 });
      expect(res.body.transStatus).toBe('C');
      const approved = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
      expect(approved.body.transStatus).toBe('Y');
      const { cavv } = (await readThreeDs(h, res.body.id)).body;
      const auth = await authorizeWithCavv(h, holder, cavv, { amount: 30_000 });
      expect(auth.body).toMatchObject({ responseCode: '00', approved: true });
      await setThreeDsThreshold(h, null);
    });

    it('a missing CVV2 with a CAVV that does not verify is N7 cvv2_required', async () => {
      await setThreeDsThreshold(h, null);
      const holder = await h.cardholder();
      const auth = await authorizeWithCavv(h, holder, Buffer.alloc(20, 7).toString('base64'), { amount: 1_000 });
      expect(auth.body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_required' });
      // A missing CVV2 is not a wrong one: nothing counted toward the freeze.
      expect((await cardTestingState(h, holder.card.id)).verification_failures).toBe(0);
    });
  });
});
