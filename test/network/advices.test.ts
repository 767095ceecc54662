// SPEC §5–6 advices: the network decided in stand-in. Always acknowledged; the network's decision
// stands (holds past the limit, declines recorded, earlier decisions replaced); needsReview when
// the issuer's rules would have decided otherwise; security alerts; idempotency; reversal advices.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, authorization, clear, expectLedgerOk, recordFor, setRate, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const advice = (holder: Holder, overrides: Record<string, unknown> = {}) => ({ ...h.purchase(holder), mti: '0120', ...overrides });
  const sendAdvice = (body: unknown) => h.network('/v1/network/authorization-advices', body);
  const reversalAdvice = (body: Record<string, unknown>) => h.network('/v1/network/reversal-advices', {
    mti: '0420', stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(), ...body,
  });
  const audits = (subject: string) => h.deps.handle.db.selectFrom('audit_log').select(['action', 'actor_type']).where('subject', '=', subject).execute();

  describe('authorization advices', () => {
    it('an approved advice is acknowledged, holds its amount and records the network\'s auth code for clearing', async () => {
      const holder = await h.cardholder(100_000);
      const body = advice(holder, { amount: 12_000, authCode: 'NET123' });
      const res = await sendAdvice(body);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ responseCode: '00', authorizationId: expect.stringMatching(/^auth_/), billingAmount: 12_000, needsReview: false });
      expect((await account(h, holder)).held_fils).toBe(12_000);
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({
        source: 'advice', approved: 1, auth_code: 'NET123', status: 'pending', hold_fils: 12_000, needs_review: 0, response_code: '00',
      });
      expect(await audits(res.body.authorizationId)).toEqual([{ action: 'advice.approved', actor_type: 'network' }]);
      const [cleared] = await clear(h, [recordFor(body, 'NET123')]);
      expect(cleared.status).toBe('posted');
      expect(await account(h, holder)).toMatchObject({ held_fils: 0, posted_fils: 12_000 });
      await expectLedgerOk(h);
    });

    it('past the limit it still holds, spends the unused allowance, and a reversal advice gives it back', async () => {
      const holder = await h.cardholder(100_000);
      await approvedPurchase(h, holder, { amount: 90_000 });
      // Beyond limit + margin too: the issuer would have declined 51, the network approved.
      const body = advice(holder, { amount: 40_000 });
      const res = await sendAdvice(body);
      expect(res.body).toMatchObject({ responseCode: '00', needsReview: true, billingAmount: 40_000 });
      expect(await account(h, holder)).toMatchObject({ held_fils: 130_000, over_limit_used: 1, over_limit_auth_id: res.body.authorizationId });
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ over_limit: 1, reason: 'approved_over_limit' });
      const notes = await h.deps.handle.db.selectFrom('notifications').select('kind').where('customer_id', '=', holder.customer.id).execute();
      expect(notes.map((n) => n.kind)).toContain('over_limit_used');

      const rev = await reversalAdvice({ acquirerId: body.acquirerId, rrn: body.rrn });
      expect(rev.status, rev.text).toBe(200);
      expect(rev.body).toEqual({ responseCode: '00', authorizationId: res.body.authorizationId, reversedAmount: 40_000, needsReview: false });
      expect(await account(h, holder)).toMatchObject({ held_fils: 90_000, over_limit_used: 0, over_limit_auth_id: null });
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'reversed', hold_fils: 0 });
      await expectLedgerOk(h);
    });

    it('past the limit with the allowance already used, outstanding simply goes past the limit', async () => {
      const holder = await h.cardholder(100_000);
      const over = await approvedPurchase(h, holder, { amount: 110_000 });
      expect(over.overLimit).toBe(true);
      const res = await sendAdvice(advice(holder, { amount: 50_000 }));
      expect(res.body).toMatchObject({ responseCode: '00', needsReview: true });
      expect(await account(h, holder)).toMatchObject({ held_fils: 160_000, over_limit_used: 1, over_limit_auth_id: over.authorizationId });
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ over_limit: 0, hold_fils: 50_000 });
      await expectLedgerOk(h);
    });

    it('a declined advice is recorded as a decline; flagged only when the issuer would have approved', async () => {
      const holder = await h.cardholder(100_000);
      const agreed = await sendAdvice(advice(holder, { responseCode: '05', cvv2: holder.cvv2 === '000' ? '001' : '000' }));
      expect(agreed.body).toMatchObject({ responseCode: '00', needsReview: false });
      expect(await authorization(h, agreed.body.authorizationId)).toMatchObject({
        approved: 0, status: 'declined', response_code: '05', hold_fils: 0, auth_code: null, source: 'advice', reason: 'declined_by_network',
      });
      const differs = await sendAdvice(advice(holder, { responseCode: '51' }));
      expect(differs.body).toMatchObject({ responseCode: '00', needsReview: true });
      expect(await account(h, holder)).toMatchObject({ held_fils: 0 });
      expect(await audits(differs.body.authorizationId)).toEqual([{ action: 'advice.declined', actor_type: 'network' }]);
    });

    it('replaces the issuer\'s decision for the same acquirerId + rrn: the old hold goes, the new one stands', async () => {
      const holder = await h.cardholder(100_000);
      const first = await approvedPurchase(h, holder, { amount: 30_000 });
      const res = await sendAdvice(advice(holder, { rrn: first.request.rrn, amount: 20_000, authCode: 'STAND1' }));
      expect(res.body).toMatchObject({ responseCode: '00', needsReview: false });
      expect(await authorization(h, first.authorizationId)).toMatchObject({ status: 'reversed', hold_fils: 0, superseded_by: res.body.authorizationId });
      expect((await account(h, holder)).held_fils).toBe(20_000);
      // A clearing now matches the advice (newest approved with the rrn), and posts against its hold.
      const [cleared] = await clear(h, [recordFor(first.request, 'STAND1', { amount: 20_000 })]);
      expect(cleared.status).toBe('posted');
      expect(await account(h, holder)).toMatchObject({ held_fils: 0, posted_fils: 20_000 });

      // An issuer decline replaced by the network's approval.
      const declined = await h.authorize(holder, { amount: 500_000 });
      expect(declined.body.responseCode).toBe('51');
      const replacing = await sendAdvice(advice(holder, { rrn: (await authorization(h, declined.body.authorizationId)).rrn, amount: 5_000 }));
      expect(replacing.body).toMatchObject({ responseCode: '00', needsReview: false });
      expect(await authorization(h, declined.body.authorizationId)).toMatchObject({ status: 'declined', superseded_by: replacing.body.authorizationId });
      expect((await account(h, holder)).held_fils).toBe(5_000);
      await expectLedgerOk(h);
    });

    it('replaces a decision on its own card only: another card\'s with the same acquirerId + rrn keeps its hold', async () => {
      const [mine, theirs] = [await h.cardholder(100_000), await h.cardholder(100_000)];
      const theirPurchase = await approvedPurchase(h, theirs, { amount: 30_000 });
      const res = await sendAdvice(advice(mine, { rrn: theirPurchase.request.rrn, acquirerId: theirPurchase.request.acquirerId, amount: 20_000 }));
      expect(res.body).toMatchObject({ responseCode: '00' });
      expect(await authorization(h, theirPurchase.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 30_000, superseded_by: null });
      expect((await account(h, theirs)).held_fils).toBe(30_000);
      expect((await account(h, mine)).held_fils).toBe(20_000);
      await expectLedgerOk(h);
    });

    it('replacing the decision that spent the allowance gives it back before the advice decides', async () => {
      const holder = await h.cardholder(100_000);
      const over = await approvedPurchase(h, holder, { amount: 110_000 });
      expect(over.overLimit).toBe(true);
      const res = await sendAdvice(advice(holder, { rrn: over.request.rrn, amount: 50_000 }));
      expect(res.body.needsReview).toBe(false);
      expect(await account(h, holder)).toMatchObject({ held_fils: 50_000, over_limit_used: 0, over_limit_auth_id: null });
      await expectLedgerOk(h);
    });

    it('an advice at an ATM or a shop is flagged and raises the cardholder\'s security alert', async () => {
      const holder = await h.cardholder(100_000);
      const atm = await sendAdvice(advice(holder, { processingCode: '010000', mcc: '6011', posEntryMode: '051', terminalType: 'atm', merchantName: 'Corner ATM', amount: 20_000 }));
      expect(atm.body).toMatchObject({ responseCode: '00', needsReview: true });
      expect((await account(h, holder)).held_fils).toBe(20_000);
      const shop = await sendAdvice(advice(holder, { posEntryMode: '071', responseCode: '57', merchantName: 'Mall Shop' }));
      expect(shop.body).toMatchObject({ responseCode: '00', needsReview: false });
      const alerts = await h.deps.handle.db.selectFrom('notifications').select(['kind', 'severity', 'message'])
        .where('customer_id', '=', holder.customer.id).where('kind', '=', 'advice_security_alert').orderBy('created_at').execute();
      expect(alerts).toHaveLength(2);
      expect(alerts[0]).toMatchObject({ severity: 'alert', message: expect.stringContaining('Corner ATM') });
      expect(alerts[1].message).toContain('Mall Shop');
      const seen = await h.banking(holder.token, 'GET', '/v1/banking/notifications');
      expect(JSON.stringify(seen.body)).toContain('Corner ATM');
    });

    it('is idempotent like an authorization: the same message answers the same, other content is 94 and creates nothing', async () => {
      const holder = await h.cardholder(100_000);
      const body = advice(holder, { amount: 3_000 });
      const first = await sendAdvice(body);
      const again = await sendAdvice(body);
      expect(again.body).toEqual(first.body);
      // Its time written another way is the same instant: the same message.
      const respelled = await sendAdvice({ ...body, transmissionTime: (body.transmissionTime as string).replace(/Z$/, '+00:00') });
      expect(respelled.body).toEqual(first.body);
      const [authorizations] = await h.countRows('authorizations');
      const other = await sendAdvice({ ...body, amount: 3_001 });
      expect(other.body).toMatchObject({ responseCode: '94', reason: 'duplicate_transmission', authorizationId: first.body.authorizationId });
      expect(await h.countRows('authorizations')).toEqual([authorizations]);
      expect((await account(h, holder)).held_fils).toBe(3_000);

      // The same key sent at once from many connections: one advice, one hold.
      const twin = advice(holder, { amount: 2_000 });
      const answers = await Promise.all(Array.from({ length: 8 }, () => sendAdvice(twin)));
      expect(new Set(answers.map((a) => a.body.authorizationId)).size).toBe(1);
      expect(answers.every((a) => a.body.responseCode === '00')).toBe(true);
      expect((await account(h, holder)).held_fils).toBe(5_000);
      // An advice may repeat the STAN and time of the authorization it stands in for: not a duplicate of it.
      const original = h.purchase(holder, { amount: 1_000 });
      const answered = await h.network('/v1/network/authorizations', original);
      const standIn = await sendAdvice({ ...original, mti: '0120' });
      expect(standIn.body).toMatchObject({ responseCode: '00' });
      expect(standIn.body.authorizationId).not.toBe(answered.body.authorizationId);
      await expectLedgerOk(h);
    });

    it('bills the network\'s billingAmount plus markup for a foreign currency, and ignores it for 414', async () => {
      const holder = await h.cardholder(100_000);
      const usd = await sendAdvice(advice(holder, { amount: 10_000, currency: '840', billingAmount: 30_000 }));
      expect(usd.body).toMatchObject({ responseCode: '00', billingAmount: 30_750 });
      expect(await authorization(h, usd.body.authorizationId)).toMatchObject({ fx_rate: null, network_billing_fils: 30_000, hold_fils: 30_750 });
      const kwd = await sendAdvice(advice(holder, { amount: 1_234, billingAmount: 99_999 }));
      expect(kwd.body.billingAmount).toBe(1_234);
    });

    it('a refund advice is a pending refund: no hold, no review, posted by its clearing', async () => {
      const holder = await h.cardholder(100_000);
      const refund = advice(holder, { processingCode: '200000', amount: 4_000 });
      const res = await sendAdvice(refund);
      expect(res.body).toMatchObject({ responseCode: '00', needsReview: false });
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({
        source: 'advice', hold_fils: 0, rule_id: 'refund_approved', hold_transfer_id: null, status: 'pending' });
      expect((await account(h, holder)).held_fils).toBe(0);
      const list = (await h.banking(holder.token, 'GET', `/v1/banking/cards/${holder.card.id}/transactions`)).body.data as Array<Record<string, unknown>>;
      expect(list.find((i) => i.id === res.body.authorizationId)).toMatchObject({ type: 'refund', status: 'pending' });
      const [posted] = await clear(h, [{ pan: holder.pan, rrn: refund.rrn, acquirerId: refund.acquirerId, amount: 4_000, currency: '414',
        processingCode: '200000', mcc: refund.mcc, merchantName: refund.merchantName }]);
      expect(posted.status).toBe('posted');
      expect(await authorization(h, res.body.authorizationId)).toMatchObject({ status: 'cleared' });
      await expectLedgerOk(h);
    });

    it('a malformed advice is a 400 with responseCode 30; an unsigned one 401', async () => {
      const holder = await h.cardholder(100_000);
      const bad = await sendAdvice(advice(holder, { mti: '0100' }));
      expect(bad.status).toBe(400);
      expect(bad.body.responseCode).toBe('30');
      const raw = JSON.stringify(advice(holder));
      const unsigned = await h.request('POST', '/v1/network/authorization-advices', { raw, headers: { 'content-type': 'application/json' } });
      expect(unsigned.status).toBe(401);
    });
  });

  describe('reversal advices', () => {
    it('one for an unknown original is acknowledged with needsReview, and kept for idempotency', async () => {
      const body = { mti: '0420', acquirerId: '412345', rrn: 'NOSUCHRRN001', stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() };
      const res = await h.network('/v1/network/reversal-advices', body);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ responseCode: '00', reversedAmount: 0, needsReview: true });
      const again = await h.network('/v1/network/reversal-advices', { ...body, mti: undefined });
      expect(again.body).toEqual(res.body);
      // The same instant written another way is the same message, as for an authorization.
      const offset = new Date(h.clock.now() + 3 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+03:00');
      const respelled = await h.network('/v1/network/reversal-advices', { ...body, transmissionTime: offset });
      expect(respelled.body).toEqual(res.body);
      const other = await h.network('/v1/network/reversal-advices', { ...body, replacementAmount: 5 });
      expect(other.body).toMatchObject({ responseCode: '94' });
      const rows = await h.deps.handle.db.selectFrom('reversal_advices').selectAll().where('rrn', '=', 'NOSUCHRRN001').execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ needs_review: 1, authorization_id: null });
      const audit = await h.deps.handle.db.selectFrom('audit_log').select('action').where('action', '=', 'reversal_advice.unknown_original').execute();
      expect(audit.length).toBeGreaterThanOrEqual(1);
    });

    it('releases like a reversal (partial, then a retransmission answers the same and changes nothing)', async () => {
      const holder = await h.cardholder(100_000);
      const auth = await approvedPurchase(h, holder, { amount: 10_000 });
      const body = { authorizationId: auth.authorizationId, replacementAmount: 4_000, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() };
      const res = await h.network('/v1/network/reversal-advices', body);
      expect(res.body).toEqual({ responseCode: '00', authorizationId: auth.authorizationId, reversedAmount: 6_000, needsReview: false });
      const again = await h.network('/v1/network/reversal-advices', body);
      expect(again.body).toEqual(res.body);
      expect((await account(h, holder)).held_fils).toBe(4_000);
      await expectLedgerOk(h);
    });
  });

  describe('setup', () => {
    it('a foreign advice without billingAmount converts at the rate', async () => {
      await setRate(h, 'EUR', '0.33');
      const holder = await h.cardholder(100_000);
      const res = await sendAdvice(advice(holder, { amount: 1_000, currency: '978' }));
      expect(res.body.billingAmount).toBe(3_383); // 10 × 0.33 × 1.025 = 3.3825 → half-up
    });
  });
});
