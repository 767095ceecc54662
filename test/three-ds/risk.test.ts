// 3-D Secure on risk (SPEC §7): frictionless only below the product's frictionlessCeiling at a
// merchant the card account knows (an approved purchase or a verification there); otherwise a
// challenge. ECI 05 on Visa, 02 on other cards; 1A / 65 in authorization. A CAVV is used up only by
// an approved authorization.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import type { Holder } from '../support/money.js';
import { authorizeWithCavv, readThreeDs, setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const PRODUCT = '/v1/admin/products/internet-shopping';
  const knownAt = async (holder: Holder, merchantId = 'M-1001', amount = 1_000) => {
    const res = await h.authorize(holder, { amount, merchantId });
    expect(res.body.approved || res.body.responseCode === '85').toBe(true);
    return res.body;
  };

  describe('the frictionless decision', () => {
    it('a merchant the card does not know is challenged, however small the amount', async () => {
      const holder = await h.cardholder(100_000);
      expect((await startThreeDs(h, holder, { amount: 1 })).body).toEqual(expect.objectContaining({ transStatus: 'C' }));
      // A declined purchase there teaches nothing.
      expect((await h.authorize(holder, { amount: 1_000, cvv2: '000' })).body.approved).toBe(false);
      expect((await startThreeDs(h, holder, { amount: 1 })).body.transStatus).toBe('C');
    });

    it('after an approved purchase there: frictionless below the ceiling (20 KD by default), a challenge at it', async () => {
      const holder = await h.cardholder(100_000);
      await knownAt(holder);
      const y = await startThreeDs(h, holder, { amount: 19_999 });
      expect(y.body).toMatchObject({ transStatus: 'Y', eci: '05' });
      expect(Buffer.from(y.body.cavv, 'base64')).toHaveLength(20);
      expect((await startThreeDs(h, holder, { amount: 20_000 })).body).toEqual({ id: expect.any(String), transStatus: 'C' });
      // Known to this card account only.
      const other = await h.cardholder(100_000);
      expect((await startThreeDs(h, other, { amount: 1_000 })).body.transStatus).toBe('C');
    });

    it('a merchant is written down once, by the first purchase or verification there; a refund or a decline writes nothing', async () => {
      const holder = await h.cardholder(100_000);
      const db = h.deps.handle.db;
      const { account_id: accountId } = await db.selectFrom('cards').select('account_id').where('id', '=', holder.card.id).executeTakeFirstOrThrow();
      const known = async () => (await db.selectFrom('known_merchants').select('merchant_id').where('account_id', '=', accountId)
        .orderBy('merchant_id').execute()).map((r) => r.merchant_id);
      expect((await h.authorize(holder, { amount: 1_000, merchantId: 'M-DECLINE', cvv2: '000' })).body.approved).toBe(false);
      expect((await h.authorize(holder, { amount: 1_000, merchantId: 'M-REFUND', processingCode: '200000' })).body).toMatchObject({ approved: true, reason: 'refund_approved' });
      expect(await known()).toEqual([]);
      await knownAt(holder, 'M-SHOP');
      await knownAt(holder, 'M-SHOP', 2_000);
      await knownAt(holder, 'M-VERIFY', 0);
      expect(await known()).toEqual(['M-SHOP', 'M-VERIFY']);
      expect((await startThreeDs(h, holder, { amount: 1_000, merchantId: 'M-VERIFY' })).body.transStatus).toBe('Y');
      expect((await startThreeDs(h, holder, { amount: 1_000, merchantId: 'M-REFUND' })).body.transStatus).toBe('C');
    });

    it('the ceiling is product data: read and changed through the admin API, used at once', async () => {
      const read = await h.admin('GET', PRODUCT);
      expect(read.body).toMatchObject({ frictionlessCeiling: 20_000, blockedMccs: ['6010', '6011', '6051', '4829', '7995'] });
      const holder = await h.cardholder(100_000);
      await knownAt(holder);
      expect((await startThreeDs(h, holder, { amount: 30_000 })).body.transStatus).toBe('C');
      expect((await h.admin('PUT', PRODUCT, { frictionlessCeiling: 50_000 })).body.frictionlessCeiling).toBe(50_000);
      try {
        expect((await startThreeDs(h, holder, { amount: 30_000 })).body.transStatus).toBe('Y');
        expect((await h.admin('PUT', PRODUCT, { frictionlessCeiling: 0 })).status).toBe(200);
        expect((await startThreeDs(h, holder, { amount: 1 })).body.transStatus).toBe('C');
        for (const bad of [-1, 1.5, 'x']) expect((await h.admin('PUT', PRODUCT, { frictionlessCeiling: bad })).status).toBe(400);
      } finally {
        await h.admin('PUT', PRODUCT, { frictionlessCeiling: 20_000 });
      }
    });

    it('the 3-D Secure threshold does not decide frictionless: only the ceiling and the merchant do', async () => {
      const holder = await h.cardholder(100_000);
      await knownAt(holder);
      await setThreeDsThreshold(h, 5_000);
      try {
        expect((await startThreeDs(h, holder, { amount: 10_000 })).body.transStatus).toBe('Y');
      } finally {
        await setThreeDsThreshold(h, null);
      }
    });
  });

  describe('a CAVV is used up by an approved authorization only', () => {
    it('a declined authorization leaves it for the retry; the approval uses it up', async () => {
      const holder = await h.cardholder(100_000);
      await knownAt(holder);
      const { cavv } = (await startThreeDs(h, holder, { amount: 5_000 })).body;
      const declined = await authorizeWithCavv(h, holder, cavv, { amount: 5_000, cvv2: '000' });
      expect(declined.body).toMatchObject({ responseCode: 'N7', reason: 'cvv2_mismatch' });
      const approved = await authorizeWithCavv(h, holder, cavv, { amount: 5_000, cvv2: holder.cvv2 });
      expect(approved.body).toMatchObject({ responseCode: '00', approved: true });
      const replay = await authorizeWithCavv(h, holder, cavv, { amount: 5_000, cvv2: holder.cvv2 });
      expect(replay.body).toMatchObject({ responseCode: '05', reason: 'authentication_failed' });
    });

    it('two concurrent authorizations with one CAVV: exactly one is approved', async () => {
      const holder = await h.cardholder(200_000);
      await knownAt(holder);
      const { cavv } = (await startThreeDs(h, holder, { amount: 5_000 })).body;
      const answers = await Promise.all(Array.from({ length: 6 }, () => authorizeWithCavv(h, holder, cavv, { amount: 5_000, cvv2: holder.cvv2 })));
      const codes = answers.map((a) => a.body.responseCode).sort();
      expect(codes).toEqual(['00', '05', '05', '05', '05', '05']);
    });
  });

  describe('on a card that is not Visa', () => {
    it('ECI 02 for a full authentication, frictionless or approved challenge; 65 when authentication is required', async () => {
      const bin = (await h.admin('GET', PRODUCT)).body.bin as string;
      expect((await h.admin('PUT', PRODUCT, { bin: '541275' })).status).toBe(200);
      let holder: Holder;
      try {
        holder = await h.cardholder(100_000);
      } finally {
        await h.admin('PUT', PRODUCT, { bin });
      }
      expect(holder.pan.startsWith('5')).toBe(true);
      const challenged = await startThreeDs(h, holder, { amount: 3_000 });
      expect(challenged.body.transStatus).toBe('C');
      await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${challenged.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
      const read = await readThreeDs(h, challenged.body.id);
      expect(read.body).toMatchObject({ transStatus: 'Y', eci: '02' });
      const approved = await authorizeWithCavv(h, holder, read.body.cavv, { amount: 3_000, eci: '02' });
      expect(approved.body).toMatchObject({ responseCode: '00' });
      // The merchant is known now: frictionless, ECI 02.
      expect((await startThreeDs(h, holder, { amount: 3_000 })).body).toMatchObject({ transStatus: 'Y', eci: '02' });
      await setThreeDsThreshold(h, 1_000);
      try {
        expect((await h.authorize(holder, { amount: 2_000 })).body).toMatchObject({ responseCode: '65', reason: 'authentication_required' });
      } finally {
        await setThreeDsThreshold(h, null);
      }
    });
  });
});
