// Attacks on the counters that guard secrets, across endpoints: one TOTP code sent at once to every
// step-up endpoint; wrong codes spread over several endpoints past the lockout (SPEC §2, §6, §7).
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { MAX_FAILURES } from '../../src/store/auth-failures.repository.js';
import { BURST_ENV, wrongCvv2, cardTestingState } from '../support/card-testing.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
  const h = useHarness(backend, { env: BURST_ENV });
  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  /** Freezes the card through the card-testing guard, one wrong CVV2 after another. */
  async function systemFreeze(holder: Holder) {
    for (let i = 0; i < CARD_TESTING_FREEZE_AFTER; i++) await h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2, i), amount: 100 });
    expect(await cardTestingState(h, holder.card.id)).toMatchObject({ status: 'frozen', status_reason: 'card_testing' });
  }

  describe('one TOTP code sent at once to every step-up endpoint', () => {
    it('is accepted by exactly one of reveal, limit increase, unfreeze and 3-D Secure approval', async () => {
      await setThreeDsThreshold(h, 25_000);
      const holder = await h.cardholder(100_000);
      const challenge = await startThreeDs(h, holder, { amount: 30_000 });
      expect(challenge.body.transStatus).toBe('C');
      await systemFreeze(holder);
      h.clock.advance(30_000);
      const otp = await generate({ secret: holder.totpSecret, epoch: Math.floor(h.clock.now() / 1000) });
      const id = holder.card.id;
      const answers = await Promise.all([
        h.banking(holder.token, 'POST', `/v1/banking/cards/${id}/reveal`, { otp }),
        h.banking(holder.token, 'PUT', `/v1/banking/cards/${id}/limit`, { limit: 200_000, otp }),
        h.banking(holder.token, 'POST', `/v1/banking/cards/${id}/unfreeze`, { otp }),
        h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${challenge.body.id}/approve`, { otp }),
      ]);
      const statuses = answers.map((x) => x.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      for (const x of answers.filter((y) => y.status !== 200)) expect([x.status, x.body.code]).toEqual([403, 'invalid_otp']);
      const card = await cardTestingState(h, id);
      const account = await h.deps.handle.db.selectFrom('card_accounts').select('limit_fils').where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
      expect(card.status === 'active').toBe(statuses[2] === 200);
      expect(account.limit_fils === 200_000).toBe(statuses[1] === 200);
    });
  });

  describe('wrong codes spread over several step-up endpoints at once', () => {
    it('at most 5 are judged in all; then even the right code is locked out', async () => {
      await setThreeDsThreshold(h, 25_000);
      const holder = await h.cardholder(100_000);
      const challenge = await startThreeDs(h, holder, { amount: 30_000 });
      await systemFreeze(holder);
      const id = holder.card.id;
      const sends = Array.from({ length: 24 }, (_, i) => {
        const otp = String(100_000 + i);
        switch (i % 4) {
          case 0: return h.banking(holder.token, 'POST', `/v1/banking/cards/${id}/reveal`, { otp });
          case 1: return h.banking(holder.token, 'PUT', `/v1/banking/cards/${id}/limit`, { limit: 200_000, otp });
          case 2: return h.banking(holder.token, 'POST', `/v1/banking/cards/${id}/unfreeze`, { otp });
          default: return h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${challenge.body.id}/approve`, { otp });
        }
      });
      const answers = await Promise.all(sends);
      const codes = answers.map((x) => x.body.code);
      expect(codes.filter((c) => c === 'invalid_otp').length).toBeLessThanOrEqual(MAX_FAILURES);
      expect(codes.filter((c) => c !== 'invalid_otp').every((c) => c === 'locked')).toBe(true);
      const right = await h.banking(holder.token, 'POST', `/v1/banking/cards/${id}/unfreeze`, { otp: await h.otp(holder.totpSecret) });
      expect(right.status).not.toBe(200);
      expect((await cardTestingState(h, id)).status).toBe('frozen');
    });
  });
});
