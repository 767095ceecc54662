// Attacks through every verb at once: card testing by authorizations, 3-D Secure expiries and
// advices together freezes the card once, every answer a network answer (no 500 from a lock cycle),
// and an advice's needsReview is no oracle for guessing a CVV2.
import { describe, expect, it } from 'vitest';
import { wrongCvv2, wrongExpiry, cardTestingState } from '../support/card-testing.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  describe('wrong CVV2s and expiries at once through every verb, with the right CVV2 among them', () => {
    it('freezes the card once, judges at most 5 in a row, and the right CVV2 afterwards is 62', async () => {
      await setThreeDsThreshold(h, null);
      const holder = await h.cardholder();
      const auths = Array.from({ length: 10 }, (_, i) => h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2, i), amount: 100 }));
      const threeDs = Array.from({ length: 6 }, () => startThreeDs(h, holder, { expiry: wrongExpiry(holder.expiry), amount: 100 }));
      const advices = Array.from({ length: 6 }, (_, i) => h.network('/v1/network/authorization-advices',
        { ...h.purchase(holder, { cvv2: wrongCvv2(holder.cvv2, 20 + i), amount: 100 }), mti: '0120', responseCode: '05' }));
      const right = h.authorize(holder, { amount: 100 });
      const [a, t, v, r] = await Promise.all([Promise.all(auths), Promise.all(threeDs), Promise.all(advices), right]);
      expect([...a, ...t, ...v, r].map((res, i) => `${i} ${res.status} ${res.status === 200 ? "" : res.text}`).filter((s) => !s.includes(" 200 "))).toEqual([]);
      for (const res of t) expect(res.body.transStatus).toBe('N');
      for (const res of v) expect(res.body.responseCode).toBe('00');
      expect(['00', '62']).toContain(r.body.responseCode);
      const n7 = a.filter((x) => x.body.responseCode === 'N7').length;
      // At most 5 before the right one resets the count and 5 after it; without a reset, at most 5.
      expect(n7).toBeLessThanOrEqual(r.body.responseCode === '00' ? 2 * CARD_TESTING_FREEZE_AFTER : CARD_TESTING_FREEZE_AFTER);
      for (const x of a) expect(['N7', '62']).toContain(x.body.responseCode);
      expect(await cardTestingState(h, holder.card.id)).toEqual({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
      const notes = await h.deps.handle.db.selectFrom('notifications').select('id')
        .where('card_id', '=', holder.card.id).where('kind', '=', 'card_frozen').execute();
      expect(notes).toHaveLength(1);
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('62');
      expect((await startThreeDs(h, holder, { amount: 100 })).body.transStatus).toBe('N');
    });
  });

  describe('authorization advices as a CVV2 oracle', () => {
    it('declined advices with guessed CVV2s count toward the card-testing freeze, and needsReview does not tell a right CVV2 from a wrong one', async () => {
      const holder = await h.cardholder();
      const created = await h.admin('POST', '/v1/admin/network-clients', { name: 'rogue', acquirerIds: ['412345'] });
      const rogue = { keyId: created.body.keyId, secret: created.body.secret };
      const guess = (cvv2: string) => h.network('/v1/network/authorization-advices',
        { ...h.purchase(holder, { cvv2, amount: 100 }), mti: '0120', responseCode: '05' }, rogue);
      const answers = [];
      for (let i = 0; i < 10; i += 1) answers.push((await guess(wrongCvv2(holder.cvv2, i))).body);
      const right = (await guess(holder.cvv2)).body;
      const card = await h.deps.handle.db.selectFrom('cards').select(['status', 'verification_failures']).where('id', '=', holder.card.id).executeTakeFirstOrThrow();
      // The oracle: a wrong guess and the right one must look alike to the sender.
      expect({ wrong: answers[0].needsReview, right: right.needsReview }).toEqual({ wrong: answers[0].needsReview, right: answers[0].needsReview });
      expect(card.status).toBe('frozen');
    });
  });
});
