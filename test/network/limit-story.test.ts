// SPEC §3 told as a story through the real app: 90 KD, the 15 KD exceed, one fil more, and what a
// full or partial reversal and a limit change do to it.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  const reverse = (authorizationId: string, replacementAmount?: number) => h.network('/v1/network/reversals', {
    authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
    ...(replacementAmount !== undefined ? { replacementAmount } : {}),
  });
  const getCard = async (holder: Holder) => (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body;
  const setLimit = (holder: Holder, body: Record<string, unknown>) =>
    h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`, body);

  async function exceeded(holder: Holder) {
    const first = await h.authorize(holder, { amount: 90_000 });
    expect(first.body).toMatchObject({ responseCode: '00', reason: 'approved', overLimit: false, billingAmount: 90_000 });
    const over = await h.authorize(holder, { amount: 15_000 });
    expect(over.body).toMatchObject({ responseCode: '00', approved: true, reason: 'approved_over_limit', overLimit: true });
    return over.body.authorizationId as string;
  }

  describe('the over-limit allowance on a 100 KD card', () => {
    it('90 KD approved, 15 KD approved over the limit, one fil more declined 51; a full reversal gives the allowance back', async () => {
      const holder = await h.cardholder(100_000);
      const overId = await exceeded(holder);
      expect(await getCard(holder)).toMatchObject({ outstanding: 105_000, available: 0, overLimit: { enabled: true, used: true, margin: 20_000 } });

      const fil = await h.authorize(holder, { amount: 1 });
      expect(fil.body).toMatchObject({ responseCode: '51', approved: false, reason: 'over_limit', overLimit: false });
      expect(fil.body.authCode).toBeUndefined();

      const reversal = await reverse(overId);
      expect(reversal.body).toMatchObject({ responseCode: '00', reversedAmount: 15_000 });
      expect(await getCard(holder)).toMatchObject({ outstanding: 90_000, available: 10_000, overLimit: { used: false } });

      const again = await h.authorize(holder, { amount: 15_000 });
      expect(again.body).toMatchObject({ responseCode: '00', reason: 'approved_over_limit', overLimit: true });
      expect((await h.authorize(holder, { amount: 1 })).body.responseCode).toBe('51');
    });

    it('the cardholder is told when the allowance is used', async () => {
      const holder = await h.cardholder(100_000);
      await exceeded(holder);
      const kinds = await h.deps.handle.db.selectFrom('notifications').select('kind')
        .where('customer_id', '=', holder.customer.id).execute();
      expect(kinds.filter((n) => n.kind === 'over_limit_used')).toHaveLength(1);
    });

    it('a partial reversal of the over-limit authorization does not give the allowance back', async () => {
      const holder = await h.cardholder(100_000);
      const overId = await exceeded(holder);
      const partial = await reverse(overId, 5_000);
      expect(partial.body).toMatchObject({ responseCode: '00', reversedAmount: 10_000 });
      expect(await getCard(holder)).toMatchObject({ outstanding: 95_000, available: 5_000, overLimit: { used: true } });
      expect((await h.authorize(holder, { amount: 5_000 })).body).toMatchObject({ responseCode: '00', overLimit: false });
      expect((await h.authorize(holder, { amount: 1 })).body).toMatchObject({ responseCode: '51', reason: 'over_limit' });
      // Reversing the rest later is a full reversal after all: the allowance comes back then.
      const rest = await reverse(overId);
      expect(rest.body).toMatchObject({ responseCode: '00', reversedAmount: 5_000 });
      expect((await getCard(holder)).overLimit.used).toBe(false);
    });

    it('a full reversal of another authorization does not give the allowance back', async () => {
      const holder = await h.cardholder(100_000);
      const first = await h.authorize(holder, { amount: 90_000 });
      await h.authorize(holder, { amount: 15_000 });
      await reverse(first.body.authorizationId);
      expect((await getCard(holder)).overLimit.used).toBe(true);
      expect((await h.authorize(holder, { amount: 85_001 })).body.responseCode).toBe('51');
      expect((await h.authorize(holder, { amount: 85_000 })).body).toMatchObject({ responseCode: '00', overLimit: false });
    });

    it('a retransmitted reversal changes nothing', async () => {
      const holder = await h.cardholder(100_000);
      const overId = await exceeded(holder);
      expect((await reverse(overId, 5_000)).body.reversedAmount).toBe(10_000);
      expect((await reverse(overId, 5_000)).body.reversedAmount).toBe(0);
      expect((await getCard(holder)).outstanding).toBe(95_000);
    });
  });

  describe('limit changes', () => {
    it('an increase needs a code and takes effect on the very next authorization', async () => {
      const holder = await h.cardholder(100_000);
      expect((await h.authorize(holder, { amount: 130_000 })).body.responseCode).toBe('51');

      const noCode = await setLimit(holder, { limit: 200_000 });
      expect(noCode.status).toBe(403);
      expect(noCode.headers.get('content-type')).toContain('application/problem+json');
      expect(noCode.body.code).toBe('step_up_required');
      const wrong = await setLimit(holder, { limit: 200_000, otp: '000000' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('invalid_otp');
      expect((await getCard(holder)).limit).toBe(100_000);

      const ok = await setLimit(holder, { limit: 200_000, otp: await h.otp(holder.totpSecret) });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ limit: 200_000, available: 200_000, overLimit: { margin: 40_000 } });
      const next = await h.authorize(holder, { amount: 130_000 });
      expect(next.body).toMatchObject({ responseCode: '00', overLimit: false });
    });

    it('a decrease needs no code, takes effect at once, and is refused below the outstanding', async () => {
      const holder = await h.cardholder(200_000);
      await h.authorize(holder, { amount: 60_000 });
      const down = await setLimit(holder, { limit: 100_000 });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ limit: 100_000, outstanding: 60_000, available: 40_000 });
      // 60 + 50 = 110 KD: over the new limit, so only the exceed can approve it.
      expect((await h.authorize(holder, { amount: 50_000 })).body).toMatchObject({ responseCode: '00', overLimit: true });

      const up = await setLimit(holder, { limit: 200_000, otp: await h.otp(holder.totpSecret) });
      expect(up.status).toBe(200);
      await h.authorize(holder, { amount: 20_000 });
      const refused = await setLimit(holder, { limit: 100_000 });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'limit_below_outstanding', status: 409 });
      expect((await getCard(holder)).limit).toBe(200_000);
    });

    it('a limit the product does not offer is a 400 with field errors', async () => {
      const holder = await h.cardholder(100_000);
      for (const limit of [150_000, 0, -100_000, 100_000.5]) {
        const res = await setLimit(holder, { limit, otp: await h.otp(holder.totpSecret) });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_error');
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'limit' })]));
      }
      expect((await setLimit(holder, { limit: '200000' })).status).toBe(400);
      expect((await getCard(holder)).limit).toBe(100_000);
    });

    it('requesting a card with another limit is a 400 with field errors', async () => {
      const customer = await h.createCustomer();
      const token = await h.login(customer.username, customer.password);
      const res = await h.banking(token, 'POST', '/v1/banking/cards', { limit: 150_000 });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
    });
  });
});
