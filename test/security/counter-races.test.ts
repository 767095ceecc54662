// Counters that guard secrets, under bursts of real concurrent requests (SPEC §2, §6): the
// card-testing guard, one-time codes and the password / code lockouts must count every attempt
// and judge at most the allowed number on their value, on every backend (PostgreSQL runs them on
// separate pooled connections; SQLite through its single writer and group commit).
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { CARD_TESTING_FREEZE_AFTER } from '../../src/domain/rules.js';
import { MAX_FAILURES } from '../../src/store/auth-failures.repository.js';
import type { Authorization } from '../../src/store/schema.js';
import { BURST_ENV, wrongCvv2, cardTestingState } from '../support/card-testing.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend, { env: BURST_ENV });

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;

  /** The account's authorizations in the order they were stored (the per-account chain). */
  async function storedOrder(accountId: string): Promise<Authorization[]> {
    const db = h.deps.handle.db;
    const rows = await db.selectFrom('authorizations').selectAll().where('account_id', '=', accountId).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const head = (await db.selectFrom('card_accounts').select('last_authorization_id').where('id', '=', accountId).executeTakeFirstOrThrow()).last_authorization_id;
    const order: Authorization[] = [];
    for (let id = head; id !== null; id = byId.get(id)!.prev_authorization_id) order.unshift(byId.get(id)!);
    expect(order).toHaveLength(rows.length);
    return order;
  }

  /**
   * Replays the stored decisions serially: each must be what one authorization after another would
   * have decided — counted N7s in a row freeze the card, an approval resets the count, nothing is
   * judged on its CVV2 once frozen. Returns how many were judged on their CVV2 and when it froze.
   */
  function replaySerially(order: Authorization[]) {
    let consecutive = 0;
    let frozenAt = -1;
    let judged = 0;
    order.forEach((row, i) => {
      if (frozenAt >= 0) {
        expect({ i, code: row.response_code, reason: row.reason }).toEqual({ i, code: '62', reason: 'card_frozen' });
        return;
      }
      expect(['N7', '00']).toContain(row.response_code);
      judged += 1;
      if (row.response_code === '00') { consecutive = 0; return; }
      consecutive += 1;
      if (consecutive === CARD_TESTING_FREEZE_AFTER) frozenAt = i;
    });
    return { judged, frozenAt };
  }

  describe('card-testing guard', () => {
    it('30 concurrent wrong CVV2s: exactly 5 counted N7s freeze the card; every later one is 62 card_frozen', async () => {
      const holder = await h.cardholder();
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => h.authorize(holder, { cvv2: wrongCvv2(holder.cvv2, i), amount: 100 })));
      expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
      const codes = answers.map((a) => `${a.body.responseCode} ${a.body.reason}`);
      expect(codes.filter((c) => c === 'N7 cvv2_mismatch')).toHaveLength(CARD_TESTING_FREEZE_AFTER);
      expect(codes.filter((c) => c === '62 card_frozen')).toHaveLength(30 - CARD_TESTING_FREEZE_AFTER);
      const card = await cardTestingState(h, holder.card.id);
      expect(card).toMatchObject({ status: 'frozen', status_reason: 'card_testing', verification_failures: CARD_TESTING_FREEZE_AFTER });
      const order = await storedOrder(holder.card.accountId);
      expect(replaySerially(order)).toEqual({ judged: CARD_TESTING_FREEZE_AFTER, frozenAt: CARD_TESTING_FREEZE_AFTER - 1 });
      // One freeze: one notification and one audit entry, however many requests raced.
      const db = h.deps.handle.db;
      const notes = await db.selectFrom('notifications').select('kind').where('card_id', '=', holder.card.id).where('kind', '=', 'card_frozen').execute();
      expect(notes).toHaveLength(1);
      const audits = await db.selectFrom('audit_log').select('action').where('subject', '=', holder.card.id).where('action', '=', 'card.frozen').execute();
      expect(audits).toHaveLength(1);
    });

    it('a correct CVV2 racing wrong ones is never approved once the fifth failure committed', async () => {
      for (let round = 0; round < 3; round++) {
        const holder: Holder = await h.cardholder();
        // Wrong codes with correct ones spread through the burst.
        const bodies = Array.from({ length: 24 }, (_, i) => (i % 6 === 5 ? {} : { cvv2: wrongCvv2(holder.cvv2, i) }));
        const answers = await Promise.all(bodies.map((o) => h.authorize(holder, { amount: 100, ...o })));
        expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));
        const card = await cardTestingState(h, holder.card.id);
        const order = await storedOrder(holder.card.accountId);
        const { frozenAt } = replaySerially(order);
        // What the stored order says is what the card shows.
        expect(card.status).toBe(frozenAt >= 0 ? 'frozen' : 'active');
        // And the count it keeps is the N7s since the last approval (counted before the freeze).
        const lastApproval = order.map((r) => r.response_code).lastIndexOf('00');
        const counted = order.slice(lastApproval + 1).filter((r) => r.response_code === 'N7').length;
        expect(card.verification_failures).toBe(counted);
      }
    });
  });

  async function enrolled() {
    const customer = await h.createCustomer();
    const token = await h.login(customer.username, customer.password);
    const secret = await h.enrolTotp(token);
    const card = await h.banking(token, 'POST', '/v1/banking/cards', { limit: 100_000 });
    expect(card.status).toBe(201);
    return { customer, token, secret, cardId: card.body.id as string };
  }

  describe('one-time codes', () => {
    it('the same valid code sent 4 times at once is accepted exactly once', async () => {
      const { token, secret, cardId } = await enrolled();
      h.clock.advance(30_000);
      const otp = await generate({ secret, epoch: Math.floor(h.clock.now() / 1000) });
      const answers = await Promise.all(Array.from({ length: 4 }, () =>
        h.banking(token, 'POST', `/v1/banking/cards/${cardId}/reveal`, { otp })));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 403, 403, 403]);
      for (const a of answers.filter((x) => x.status === 403)) expect(a.body.code).toBe('invalid_otp');
    });

    it('25 concurrent wrong codes: at most 5 are judged (invalid_otp), every other one is locked', async () => {
      const { token, secret, cardId } = await enrolled();
      const answers = await Promise.all(Array.from({ length: 25 }, (_, i) =>
        h.banking(token, 'POST', `/v1/banking/cards/${cardId}/reveal`, { otp: String(100_000 + i) })));
      const codes = answers.map((a) => a.body.code as string);
      expect(codes.filter((c) => c === 'invalid_otp').length).toBeLessThanOrEqual(MAX_FAILURES);
      expect(codes.filter((c) => c === 'locked')).toHaveLength(25 - codes.filter((c) => c === 'invalid_otp').length);
      // Locked indeed: even the right code is refused now.
      const right = await h.banking(token, 'POST', `/v1/banking/cards/${cardId}/reveal`, { otp: await h.otp(secret) });
      expect(right.status).toBe(429);
      expect(right.body.code).toBe('locked');
    });
  });

  describe('password lockout', () => {
    it('25 concurrent wrong passwords: at most 5 are judged (invalid_credentials), every other one is locked', async () => {
      const customer = await h.createCustomer();
      const answers = await Promise.all(Array.from({ length: 25 }, (_, i) =>
        h.request('POST', '/v1/banking/sessions', { body: { username: customer.username, password: `wrong password ${i}` } })));
      const codes = answers.map((a) => a.body.code as string);
      const invalid = codes.filter((c) => c === 'invalid_credentials').length;
      expect(invalid).toBeGreaterThanOrEqual(1);
      expect(invalid).toBeLessThanOrEqual(MAX_FAILURES);
      expect(codes.filter((c) => c === 'locked')).toHaveLength(25 - invalid);
      const right = await h.request('POST', '/v1/banking/sessions', { body: { username: customer.username, password: customer.password } });
      expect(right.status).toBe(429);
    });
  });
});
