// SPEC §6: another customer's card is a 404, never a 403, on every card route of this issue, and
// the attempt changes nothing (not even a step-up code is consumed or counted).
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let alice: Awaited<ReturnType<Harness['cardholder']>>;
  let mallory: Awaited<ReturnType<Harness['cardholder']>>;
  beforeAll(async () => {
    alice = await h.cardholder(100_000);
    mallory = await h.cardholder(100_000);
  });

  async function expect404(res: Awaited<ReturnType<Harness['request']>>) {
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('not_found');
    expect(res.text).not.toContain(alice.pan);
    expect(res.text).not.toContain(alice.card.last4);
  }

  describe("another customer's card", () => {
    it('GET is 404, while the owner gets 200', async () => {
      expect((await h.banking(alice.token, 'GET', `/v1/banking/cards/${alice.card.id}`)).status).toBe(200);
      await expect404(await h.banking(mallory.token, 'GET', `/v1/banking/cards/${alice.card.id}`));
    });

    it('reveal with a valid code of the attacker is 404, and the code is not consumed', async () => {
      const otp = await h.otp(mallory.totpSecret);
      await expect404(await h.banking(mallory.token, 'POST', `/v1/banking/cards/${alice.card.id}/reveal`, { otp }));
      // The same code still works for the attacker's own card: the 404 came before the code was checked.
      const own = await h.banking(mallory.token, 'POST', `/v1/banking/cards/${mallory.card.id}/reveal`, { otp });
      expect(own.status).toBe(200);
      expect(own.body.pan).toBe(mallory.pan);
    });

    it('limit change (increase with a code, and decrease) is 404 and the limit stays', async () => {
      await expect404(await h.banking(mallory.token, 'PUT', `/v1/banking/cards/${alice.card.id}/limit`, { limit: 200_000, otp: await h.otp(mallory.totpSecret) }));
      await expect404(await h.banking(mallory.token, 'PUT', `/v1/banking/cards/${alice.card.id}/limit`, { limit: 100_000 }));
      const card = await h.banking(alice.token, 'GET', `/v1/banking/cards/${alice.card.id}`);
      expect(card.body.limit).toBe(100_000);
    });

    it('over-limit switch is 404 and the switch stays', async () => {
      await expect404(await h.banking(mallory.token, 'PUT', `/v1/banking/cards/${alice.card.id}/over-limit`, { enabled: false }));
      const card = await h.banking(alice.token, 'GET', `/v1/banking/cards/${alice.card.id}`);
      expect(card.body.overLimit.enabled).toBe(true);
    });

    it('the card list shows only your own cards', async () => {
      const list = await h.banking(mallory.token, 'GET', '/v1/banking/cards');
      expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([mallory.card.id]);
    });

    it('a card id that does not exist is the same 404', async () => {
      const res = await h.banking(mallory.token, 'GET', '/v1/banking/cards/card_nope');
      await expect404(res);
    });

    it('without a session the card routes are 401', async () => {
      const res = await h.request('GET', `/v1/banking/cards/${alice.card.id}`);
      expect(res.status).toBe(401);
    });
  });
});
