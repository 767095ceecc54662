// PUT /v1/banking/cards/:id/over-limit (SPEC §3, §6): off, on again only with a code, refused once
// the allowance is used; the card shows overLimit {enabled, used, margin}; the next authorization obeys.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { bankingChecked } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);

const switchPath = (cardId: string) => `/v1/banking/cards/${cardId}/over-limit`;

describe('over-limit switch', () => {
  it('shows {enabled, used, margin}; off declines the exceed; on again needs a code', async () => {
    const holder = await h.cardholder(100_000);
    expect(holder.card.overLimit).toMatchObject({ enabled: true, used: false, margin: 20_000 });

    const off = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.overLimit).toMatchObject({ enabled: false, used: false, margin: 20_000 });
    expect((await h.authorize(holder, { amount: 100_001 })).body).toMatchObject({ responseCode: '51', reason: 'over_limit' });

    const noCode = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: true });
    expect(noCode.status).toBe(403);
    expect(noCode.body.code).toBe('step_up_required');
    const wrongCode = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: true, otp: '000000' });
    expect(wrongCode.status).toBe(403);
    expect(wrongCode.body.code).toBe('invalid_otp');
    expect((await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`)).body.overLimit.enabled).toBe(false);

    const on = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: true, otp: await h.otp(holder.totpSecret) });
    expect(on.status).toBe(200);
    expect(on.body.overLimit).toMatchObject({ enabled: true, used: false });
    const over = await h.authorize(holder, { amount: 100_001 });
    expect(over.body).toMatchObject({ responseCode: '00', overLimit: true });

    const card = await bankingChecked(h, holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`);
    expect(card.body.overLimit).toMatchObject({ enabled: true, used: true, margin: 20_000 });
    expect(card.body.overLimit.usedAt).toBe(new Date(h.clock.now()).toISOString());

    // Used: switching is refused either way, with a clear code.
    for (const body of [{ enabled: false }, { enabled: true, otp: await h.otp(holder.totpSecret) }]) {
      const refused = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), body);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('invalid_transition');
    }
    const audit = await h.deps.handle.db.selectFrom('audit_log').select('action').where('subject', '=', holder.card.id)
      .where('action', '=', 'card.over_limit_switched').execute();
    expect(audit).toHaveLength(2);
  });

  it('switching off needs no code; repeating it changes nothing', async () => {
    const holder = await h.cardholder(200_000);
    await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: false });
    const again = await bankingChecked(h, holder.token, 'PUT', switchPath(holder.card.id), { enabled: false });
    expect(again.status).toBe(200);
    expect(again.body.overLimit).toMatchObject({ enabled: false, margin: 40_000 });
    const notes = await h.deps.handle.db.selectFrom('notifications').select('kind').where('customer_id', '=', holder.customer.id)
      .where('kind', '=', 'over_limit_switched').execute();
    expect(notes).toHaveLength(1);
  });
});
});
