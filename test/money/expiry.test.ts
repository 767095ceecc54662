// SPEC §5 hold expiry: holds past the product's lifetime are released (on demand and by the
// periodic job); an expired over-limit hold keeps the allowance used; idempotent; two runs at once
// release each hold once.
import { beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../../src/service/holds/expire-holds.js';
import { forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, authorization, cardView, expectLedgerOk, type Holder } from '../support/money.js';

const DAY = 86_400_000;

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
  });

  describe('hold expiry', () => {
    it('releases holds at the product lifetime, not before; asOf picks the cut-off; a second run releases nothing', async () => {
      const put = await h.admin('PUT', '/v1/admin/products/internet-shopping', { holdLifetimeDays: 3 });
      expect(put.status).toBe(200);
      const start = h.clock.now();
      const auth = await approvedPurchase(h, holder, { amount: 5_000 });
      expect((await authorization(h, auth.authorizationId)).expires_at).toBe(start + 3 * DAY);
      // The cut-offs below are in the past (one later than now is refused).
      h.clock.advance(4 * DAY);
      const early = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(start + 3 * DAY - 1).toISOString() });
      expect(early.body).toMatchObject({ released: 0 });
      expect((await account(h, holder)).held_fils).toBe(5_000);

      const due = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(start + 3 * DAY).toISOString() });
      expect(due.status).toBe(200);
      expect(due.body).toEqual({ released: 1, asOf: new Date(start + 3 * DAY).toISOString() });
      expect(await authorization(h, auth.authorizationId)).toMatchObject({ status: 'expired', hold_fils: 0 });
      expect((await account(h, holder)).held_fils).toBe(0);
      holder.token = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
      expect((await cardView(h, holder)).available).toBe(100_000);

      const again = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(start + 4 * DAY).toISOString() });
      expect(again.body.released).toBe(0);
      await h.admin('PUT', '/v1/admin/products/internet-shopping', { holdLifetimeDays: 7 });
      await expectLedgerOk(h);
    });

    it('an expired over-limit hold does not give the allowance back', async () => {
      const other = await h.cardholder(100_000);
      await approvedPurchase(h, other, { amount: 95_000 });
      const over = await approvedPurchase(h, other, { amount: 10_000 });
      expect(over.overLimit).toBe(true);
      h.clock.advance(8 * DAY);
      const job = await h.admin('POST', '/v1/admin/jobs/expire-holds');
      expect(job.body.released).toBeGreaterThanOrEqual(2);
      const row = await account(h, other);
      expect(row.posted_fils + row.held_fils).toBe(0);
      expect(row.over_limit_used).toBe(1);
      const declined = await h.authorize(other, { amount: 100_001 });
      expect(declined.body).toMatchObject({ responseCode: '51', reason: 'over_limit' });
    });

    it('two runs at once release each hold exactly once', async () => {
      const other = await h.cardholder(200_000);
      for (let i = 0; i < 6; i++) await approvedPurchase(h, other, { amount: 1_000 + i });
      h.clock.advance(8 * DAY);
      const [a, b] = await Promise.all([expireHolds(h.deps, h.clock.now()), expireHolds(h.deps, h.clock.now())]);
      expect(a + b).toBe(6);
      const voids = await h.deps.handle.db.selectFrom('ledger_transfers').select('pending_id')
        .where('account_id', '=', other.card.accountId).where('kind', '=', 'void_pending').execute();
      expect(voids).toHaveLength(6);
      expect((await account(h, other)).held_fils).toBe(0);
      await expectLedgerOk(h);
    });

    it('pages through the open holds in expiry order: every due hold once, across pages', async () => {
      const other = await h.cardholder(200_000);
      for (let i = 0; i < 5; i++) {
        await approvedPurchase(h, other, { amount: 1_000 + i });
        h.clock.advance(i % 2 ? 0 : 1); // some holds share an expiry time: the id breaks the tie
      }
      h.clock.advance(8 * DAY);
      expect(await expireHolds(h.deps, h.clock.now(), 2)).toBe(5);
      expect((await account(h, other)).held_fils).toBe(0);
      expect(await expireHolds(h.deps, h.clock.now(), 2)).toBe(0);
      await expectLedgerOk(h);
    });

    it('lets the event loop turn after each hold: a long run does not hold up authorizations', async () => {
      const other = await h.cardholder(200_000);
      for (let i = 0; i < 6; i++) await approvedPurchase(h, other, { amount: 1_000 + i });
      h.clock.advance(8 * DAY);
      let turns = 0;
      let ticking = true;
      const tick = () => { turns++; if (ticking) setImmediate(tick); };
      setImmediate(tick);
      const released = await expireHolds(h.deps, h.clock.now());
      ticking = false;
      expect(released).toBe(6);
      expect(turns).toBeGreaterThanOrEqual(6);
    });

    it('a broken hold is logged and skipped: the holds after it still expire', async () => {
      const other = await h.cardholder(200_000);
      for (let i = 0; i < 3; i++) await approvedPurchase(h, other, { amount: 2_000 + i });
      const holds = await h.deps.handle.db.selectFrom('authorizations').select('id')
        .where('account_id', '=', other.card.accountId).where('status', '=', 'pending').orderBy('id').execute();
      // The oldest hold points at a ledger transfer that does not exist.
      await h.deps.handle.db.updateTable('authorizations').set({ hold_transfer_id: 'tr_missing' }).where('id', '=', holds[0].id).execute();
      h.clock.advance(8 * DAY);
      const before = h.logLines.length;
      expect(await expireHolds(h.deps, h.clock.now())).toBe(2);
      const statuses = await h.deps.handle.db.selectFrom('authorizations').select(['id', 'status'])
        .where('id', 'in', holds.map((x) => x.id)).orderBy('id').execute();
      expect(statuses.map((x) => x.status)).toEqual(['pending', 'expired', 'expired']);
      const logged = h.logLines.slice(before).map((l) => JSON.parse(l)).find((l) => l.msg === 'hold expiry failed; the other holds go on');
      expect(logged).toMatchObject({ authorizationId: holds[0].id, level: 50 });
      // Put it right again for the tests after this one.
      await h.deps.handle.db.updateTable('authorizations').set({ status: 'declined', hold_fils: 0, hold_transfer_id: null }).where('id', '=', holds[0].id).execute();
    });

    it('is audited, and needs an ops or admin key', async () => {
      const keyRes = await h.admin('POST', '/v1/admin/keys', { name: 'aud', role: 'auditor' });
      expect(keyRes.status).toBe(200);
      const denied = await h.admin('POST', '/v1/admin/jobs/expire-holds', {}, keyRes.body.key);
      expect(denied.status).toBe(403);
      const bad = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: 'yesterday' });
      expect(bad.status).toBe(400);
      const audit = await h.deps.handle.db.selectFrom('audit_log').select('action').where('action', '=', 'job.expire_holds').execute();
      expect(audit.length).toBeGreaterThan(0);
    });
  });
});

forEachBackend((backend) => {
  it('the server runs hold expiry periodically', async () => {
    const { startBackgroundJobs } = await import('../../src/jobs.js');
    const { vi } = await import('vitest');
    const h = await Harness.create({ backend, env: { HOLD_EXPIRY_INTERVAL_MS: '10' } });
    try {
      const holder = await h.cardholder(100_000);
      const auth = await approvedPurchase(h, holder, { amount: 2_000 });
      h.clock.advance(8 * DAY);
      const jobs = startBackgroundJobs(h.deps);
      try {
        await vi.waitFor(async () => expect((await authorization(h, auth.authorizationId)).status).toBe('expired'), { timeout: 10_000, interval: 20 });
      } finally {
        jobs.stop();
      }
      expect((await account(h, holder)).held_fils).toBe(0);
    } finally {
      await h.close();
    }
  });
});
