// Undoing a card-testing freeze needs a step-up code (SPEC §2): whoever guessed the CVV2 may also
// hold the cardholder's session. A cardholder's own freeze still unfreezes without one.
import { describe, expect, it } from 'vitest';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { bankingChecked } from '../support/openapi.js';
import { webSession } from '../support/web.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  const unfreeze = (holder: Holder, body?: unknown) => bankingChecked(h, holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/unfreeze`, body);
  const status = async (holder: Holder) => (await h.deps.handle.db.selectFrom('cards').select(['status', 'status_reason'])
    .where('id', '=', holder.card.id).executeTakeFirstOrThrow());

  async function frozenBySystem() {
    const holder = await h.cardholder();
    const wrong = String((Number(holder.cvv2) + 1) % 1000).padStart(3, '0');
    for (let i = 0; i < CARD_TESTING_FREEZE_AFTER; i++) await h.authorize(holder, { cvv2: wrong, amount: 100 });
    expect(await status(holder)).toEqual({ status: 'frozen', status_reason: 'card_testing' });
    return holder;
  }

  describe('POST /v1/banking/cards/:id/unfreeze', () => {
    it('a card frozen by the card-testing guard: no code is 403 step_up_required, a wrong one 403 invalid_otp, the right one unfreezes', async () => {
      const holder = await frozenBySystem();
      const none = await unfreeze(holder);
      expect(none.status).toBe(403);
      expect(none.headers.get('content-type')).toContain('application/problem+json');
      expect(none.body.code).toBe('step_up_required');
      const empty = await unfreeze(holder, {});
      expect(empty.body.code).toBe('step_up_required');
      const wrong = await unfreeze(holder, { otp: '000000' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('invalid_otp');
      expect(await status(holder)).toEqual({ status: 'frozen', status_reason: 'card_testing' });
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('62');

      const right = await unfreeze(holder, { otp: await h.otp(holder.totpSecret) });
      expect(right.status).toBe(200);
      expect(right.body.status).toBe('active');
      expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
    });

    it("the cardholder's own freeze unfreezes without a code", async () => {
      const holder = await h.cardholder();
      expect((await bankingChecked(h, holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/freeze`)).body.status).toBe('frozen');
      const res = await unfreeze(holder);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
    });
  });

  describe('the web page', () => {
    it('asks for the code to unfreeze a card the system froze, and unfreezes with it', async () => {
      const holder = await frozenBySystem();
      const web = webSession(h, holder.token);
      const form = await web.get(`/cards/${holder.card.id}/unfreeze`);
      expect(form.status).toBe(200);
      expect(form.text).toMatch(/name="otp"/);
      const noCode = await web.post(`/cards/${holder.card.id}/unfreeze`);
      expect(noCode.status).toBe(403);
      expect((await status(holder)).status).toBe('frozen');
      const done = await web.post(`/cards/${holder.card.id}/unfreeze`, { otp: await h.otp(holder.totpSecret) });
      expect(done.status).toBe(303);
      expect((await status(holder)).status).toBe('active');
    });

    it("asks for no code to undo the cardholder's own freeze", async () => {
      const holder = await h.cardholder();
      await bankingChecked(h, holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/freeze`);
      const web = webSession(h, holder.token);
      expect((await web.get(`/cards/${holder.card.id}/unfreeze`)).text).not.toMatch(/name="otp"/);
      expect((await web.post(`/cards/${holder.card.id}/unfreeze`)).status).toBe(303);
      expect((await status(holder)).status).toBe('active');
    });
  });
});
