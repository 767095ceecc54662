// Card lifecycle through real HTTP (SPEC §2, §6): freeze/unfreeze, report, replace, cancel, block,
// with what the network answers afterwards and what is audited and notified.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { adminChecked, bankingChecked } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);

type Holder = Awaited<ReturnType<Harness['cardholder']>>;
const path = (holder: Holder, action: string, id = holder.card.id) => `/v1/banking/cards/${id}/${action}`;

async function auditActions(subject: string) {
  const rows = await h.deps.handle.db.selectFrom('audit_log').select('action').where('subject', '=', subject).orderBy('seq').execute();
  return rows.map((r) => r.action);
}
async function notificationsOf(customerId: string) {
  return h.deps.handle.db.selectFrom('notifications').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
}

describe('freeze and unfreeze', () => {
  it('takes effect on the next authorization, is audited and notified', async () => {
    const holder = await h.cardholder();
    const frozen = await bankingChecked(h, holder.token, 'POST', path(holder, 'freeze'));
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe('frozen');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '62', reason: 'card_frozen' });

    const again = await bankingChecked(h, holder.token, 'POST', path(holder, 'freeze'));
    expect(again.status).toBe(200);

    const active = await bankingChecked(h, holder.token, 'POST', path(holder, 'unfreeze'));
    expect(active.body.status).toBe('active');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '00' });

    // The repeat freeze changed nothing: one audit entry per real change.
    expect(await auditActions(holder.card.id)).toEqual(['card.issued', 'card.freeze', 'card.unfreeze']);
    const kinds = (await notificationsOf(holder.customer.id)).filter((n) => n.kind === 'card_status_changed').map((n) => JSON.parse(n.data));
    expect(kinds).toMatchObject([{ from: 'active', to: 'frozen' }, { from: 'frozen', to: 'active' }]);
    expect(kinds).toHaveLength(2);
  });

  it('a card frozen by the card-testing guard is unfrozen by the cardholder with a step-up code, with a fresh count', async () => {
    const holder = await h.cardholder();
    const wrong = String((Number(holder.cvv2) + 1) % 1000).padStart(3, '0');
    for (let i = 0; i < 5; i++) await h.authorize(holder, { cvv2: wrong });
    const card = await bankingChecked(h, holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`);
    expect(card.body.status).toBe('frozen');
    expect((await bankingChecked(h, holder.token, 'POST', path(holder, 'unfreeze'), { otp: await h.otp(holder.totpSecret) })).body.status).toBe('active');
    // One more wrong code does not refreeze at once: the guard counts from zero again.
    await h.authorize(holder, { cvv2: wrong });
    expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('00');
  });

  it('unfreezing a bank-blocked card is refused: only the bank lifts a block', async () => {
    const holder = await h.cardholder();
    const blocked = await adminChecked(h, 'POST', `/v1/admin/cards/${holder.card.id}/block`, { reason: 'fraud review' });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ status: 'blocked', reason: 'fraud review' });
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '62', reason: 'card_blocked' });
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'unfreeze'));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'invalid_transition', status: 409 });
    expect(res.body.detail).toMatch(/blocked/);
    const notes = await notificationsOf(holder.customer.id);
    expect(notes.some((n) => n.kind === 'card_status_changed' && n.severity === 'alert')).toBe(true);
  });
});

describe('report lost or stolen', () => {
  it.each([['lost', '41', 'card_lost'], ['stolen', '43', 'card_stolen']])('%s: declined %s from then on, final', async (reason, code, declineReason) => {
    const holder = await h.cardholder();
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'report'), { reason });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(reason);
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: code, reason: declineReason });
    for (const action of ['freeze', 'unfreeze']) {
      const refused = await bankingChecked(h, holder.token, 'POST', path(holder, action));
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('invalid_transition');
    }
    expect(await auditActions(holder.card.id)).toContain(`card.report_${reason}`);
  });

  it('refuses an unknown reason with a field error', async () => {
    const holder = await h.cardholder();
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'report'), { reason: 'misplaced' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(res.body.errors[0].path).toBe('reason');
  });
});

describe('replace', () => {
  it('issues a new PAN on the same account; balances and the used exceed carry over; old card answers 14', async () => {
    const holder = await h.cardholder(100_000);
    expect((await h.authorize(holder, { amount: 110_000 })).body).toMatchObject({ responseCode: '00', overLimit: true });

    const noCode = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), {});
    expect(noCode.status).toBe(403);
    expect(noCode.body.code).toBe('step_up_required');
    const wrong = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), { otp: '000000' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('invalid_otp');

    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), { otp: await h.otp(holder.totpSecret) });
    expect(res.status).toBe(201);
    const fresh = res.body;
    expect(fresh.id).not.toBe(holder.card.id);
    expect(fresh.accountId).toBe(holder.card.accountId);
    expect(fresh.status).toBe('active');
    expect(fresh.outstanding).toBe(110_000);
    expect(fresh.overLimit).toMatchObject({ used: true });
    const details = await h.cardDetails(fresh.id);
    expect(details.pan).not.toBe(holder.pan);

    const old = await bankingChecked(h, holder.token, 'GET', `/v1/banking/cards/${holder.card.id}`);
    expect(old.body.status).toBe('replaced');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '14', reason: 'invalid_card' });
    // The exceed is spent for the account: the new card is declined 51 above the limit.
    expect((await h.authorize(details, { amount: 1_000 })).body).toMatchObject({ responseCode: '51' });

    const again = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), { otp: await h.otp(holder.totpSecret) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_transition');
    expect(await auditActions(holder.card.id)).toContain('card.replaced');
    expect(await auditActions(fresh.id)).toEqual(['card.issued']);
  });

  it('a lost card stays lost (41) after replacement, and the new card works', async () => {
    const holder = await h.cardholder();
    await bankingChecked(h, holder.token, 'POST', path(holder, 'report'), { reason: 'lost' });
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), { otp: await h.otp(holder.totpSecret) });
    expect(res.status).toBe(201);
    expect((await h.authorize(holder, { amount: 100 })).body.responseCode).toBe('41');
    expect((await h.authorize(await h.cardDetails(res.body.id), { amount: 100 })).body.responseCode).toBe('00');
    const list = await bankingChecked(h, holder.token, 'GET', '/v1/banking/cards');
    expect(list.body.data.map((c: { status: string }) => c.status).sort()).toEqual(['active', 'lost']);
  });

  it('a blocked card cannot be replaced by the cardholder, and the code is not spent', async () => {
    const holder = await h.cardholder();
    await h.admin('POST', `/v1/admin/cards/${holder.card.id}/block`, { reason: 'fraud review' });
    const otp = await h.otp(holder.totpSecret);
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'replace'), { otp });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('invalid_transition');
    const reveal = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp });
    expect(reveal.status).toBe(200);
  });
});

describe('cancel', () => {
  it('only with nothing outstanding: 409 outstanding_balance with the amount, then closes the account', async () => {
    const holder = await h.cardholder();
    const auth = await h.authorize(holder, { amount: 2_500 });
    const refused = await bankingChecked(h, holder.token, 'POST', path(holder, 'cancel'), { otp: await h.otp(holder.totpSecret) });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'outstanding_balance', outstanding: 2_500 });

    const reversed = await h.network('/v1/network/reversals', {
      authorizationId: auth.body.authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
    });
    expect(reversed.body.responseCode).toBe('00');

    const noCode = await bankingChecked(h, holder.token, 'POST', path(holder, 'cancel'), {});
    expect(noCode.status).toBe(403);
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'cancel'), { otp: await h.otp(holder.totpSecret) });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
    expect(account.status).toBe('closed');
    expect((await h.authorize(holder, { amount: 100 })).body).toMatchObject({ responseCode: '14', reason: 'invalid_card' });

    for (const action of ['unfreeze', 'freeze']) {
      const r = await bankingChecked(h, holder.token, 'POST', path(holder, action));
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('invalid_transition');
    }
    const twice = await bankingChecked(h, holder.token, 'POST', path(holder, 'cancel'), { otp: await h.otp(holder.totpSecret) });
    expect(twice.body.code).toBe('invalid_transition');

    // A new card can be requested once the old account is closed.
    const again = await bankingChecked(h, holder.token, 'POST', '/v1/banking/cards', { limit: 200_000 });
    expect(again.status).toBe(201);
    expect(again.body.accountId).not.toBe(holder.card.accountId);
    expect(await auditActions(holder.card.id)).toContain('card.cancelled');
  });

  it('the used exceed follows the customer to the new card account', async () => {
    const holder = await h.cardholder(100_000);
    const auth = await h.authorize(holder, { amount: 105_000 });
    expect(auth.body.overLimit).toBe(true);
    // Settling the balance (clearing, payment) is another issue's verb: zero it as a payment would.
    await h.deps.handle.db.updateTable('card_accounts').set({ held_fils: 0, posted_fils: 0 }).where('id', '=', holder.card.accountId).execute();
    const res = await bankingChecked(h, holder.token, 'POST', path(holder, 'cancel'), { otp: await h.otp(holder.totpSecret) });
    expect(res.status).toBe(200);
    const fresh = await bankingChecked(h, holder.token, 'POST', '/v1/banking/cards', { limit: 100_000 });
    expect(fresh.body.overLimit.used).toBe(true);
  });
});
});
