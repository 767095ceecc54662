// Each card account's authorizations are chained newest first (store/authorization-chains.repository.ts)
// instead of indexed by (account_id, created_at). Through real authorizations on both backends: the
// chains hold exactly the account's rows with created_at never increasing, even when the clock
// steps back; the transaction list and the notifications (purchases and blocked attempts) page
// through them in (created_at, id) order; a cursor's resume id cannot reach another account; the
// migrations build the same chains.
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, MAX_RESUME_IDS } from '../../src/domain/cursor.js';
import { notifiesCardholder } from '../../src/domain/rules.js';
import { newId } from '../../src/ids.js';
import { MAX_WALKED_ABOVE_CURSOR } from '../../src/domain/authorization-chain.js';
import { notificationsSince } from '../../src/service/banking/notifications.js';
import { walkChain, type Chain } from '../../src/store/authorization-chains.repository.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { revertToVersion8 } from '../support/migrations.js';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { allPagesChecked } from '../support/openapi.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  type Holder = Awaited<ReturnType<Harness['cardholder']>>;
  const db = () => h.deps.handle.db;

  async function chainOf(accountId: string, chain: Chain) {
    const account = await db().selectFrom('card_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    const head = chain === 'all' ? account.last_authorization_id : account.last_notified_authorization_id;
    const rows: Array<{ id: string; created_at: number }> = [];
    await walkChain(db(), accountId, chain, head, 10, (row) => { rows.push(row); return true; });
    return rows;
  }

  /** The account's authorizations as the dropped index ordered them (only those the cardholder is told of, if asked). */
  async function indexOrder(accountId: string, notifiedOnly = false) {
    const rows = await db().selectFrom('authorizations').select(['id', 'created_at', 'approved', 'rule_id']).where('account_id', '=', accountId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return notifiedOnly ? rows.filter((r) => notifiesCardholder({ approved: r.approved === 1, ruleId: r.rule_id })) : rows;
  }

  const AUTHORIZATION_KINDS = ['purchase_approved', 'blocked_attempt'];

  async function transactionPages(holder: Holder, limit: number) {
    return (await allPagesChecked<{ id: string }>(h, holder.token, `/v1/banking/cards/${holder.card.id}/transactions`, limit)).map((t) => t.id);
  }

  /** The authorizations the notification pages show as purchases and blocked attempts, in page order. */
  async function authorizationNotificationPages(holder: Holder, limit: number) {
    const all = await allPagesChecked<{ kind: string; data: { authorizationId: string } }>(h, holder.token, '/v1/banking/notifications', limit);
    return all.filter((n) => AUTHORIZATION_KINDS.includes(n.kind)).map((n) => n.data.authorizationId);
  }

  /**
   * The stream's catch-up (oldest first since a time, at most `limit`) is the first `limit` of the
   * whole window, and the window's purchases and blocked attempts are those since that time.
   */
  async function expectCatchUpSound(holder: Holder, limit: number, fromMs: number) {
    const whole = await notificationsSince(h.deps, holder.customer.id, fromMs, 100_000);
    expect(await notificationsSince(h.deps, holder.customer.id, fromMs, limit)).toEqual(whole.slice(0, limit));
    const notified = (await indexOrder(holder.card.accountId, true)).filter((r) => r.created_at >= fromMs);
    const shown = whole.filter((n) => AUTHORIZATION_KINDS.includes(n.kind)).map((n) => JSON.parse(n.data).authorizationId);
    expect(shown.sort()).toEqual(notified.map((r) => r.id).sort());
    expect(whole.map((n) => n.created_at)).toEqual(whole.map((n) => n.created_at).sort((a, b) => a - b));
  }

  /** The chains are whole, ordered, and read back in the index's order by both lists. */
  async function expectChainsSound(holder: Holder, limit: number) {
    const accountId = holder.card.accountId;
    const all = await chainOf(accountId, 'all');
    const expected = await indexOrder(accountId);
    expect(all.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    for (let i = 1; i < all.length; i++) expect(all[i].created_at).toBeLessThanOrEqual(all[i - 1].created_at);
    const notified = await chainOf(accountId, 'notified');
    const notifiedIds = new Set((await indexOrder(accountId, true)).map((r) => r.id));
    expect(notified.map((r) => r.id)).toEqual(all.map((r) => r.id).filter((id) => notifiedIds.has(id)));
    expect(await transactionPages(holder, limit)).toEqual(expected.map((r) => r.id));
    expect(await authorizationNotificationPages(holder, limit)).toEqual(expected.map((r) => r.id).filter((id) => notifiedIds.has(id)));
  }

  describe('authorization chains', () => {
    let holders: Holder[];
    beforeAll(async () => { holders = [await h.cardholder(200_000), await h.cardholder(200_000)]; });

    it('property: approvals and declines on two accounts, the clock stepping on, standing or back, page in index order', async () => {
      const step = fc.record({
        holder: fc.integer({ min: 0, max: 1 }),
        // atm and chip are blocked attempts (on the notified chain); a blocked MCC is a decline that is not.
        kind: fc.constantFrom('approve', 'approve', 'atm', 'chip', 'mcc'),
        clock: fc.constantFrom(0, 0, 1, 3, -2, -5),
      });
      await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), async (steps, limit) => {
        for (const s of steps) {
          if (s.clock >= 0) h.clock.advance(s.clock); else h.clock.set(h.clock.now() + s.clock);
          const overrides = s.kind === 'atm' ? { mcc: '6011', processingCode: '010000' }
            : s.kind === 'chip' ? { posEntryMode: '051' } : s.kind === 'mcc' ? { mcc: '4829' } : { amount: 100 };
          const res = await h.authorize(holders[s.holder], overrides);
          expect(res.body.approved).toBe(s.kind === 'approve');
        }
        for (const holder of holders) {
          await expectChainsSound(holder, limit);
          const times = (await indexOrder(holder.card.accountId)).map((r) => r.created_at);
          await expectCatchUpSound(holder, limit, times.length ? times[Math.floor(times.length / 2)] : 0);
        }
      }), { numRuns: backend === 'sqlite' ? 12 : 6 });
    });

    it('records an authorization no earlier than its account\'s newest, so a chain never goes back in time, and says so', async () => {
      const holder = await h.cardholder();
      const first = await h.authorize(holder, { amount: 100 });
      const firstAt = (await db().selectFrom('authorizations').select('created_at').where('id', '=', first.body.authorizationId).executeTakeFirstOrThrow()).created_at;
      h.clock.set(firstAt - 60_000);
      const second = await h.authorize(holder, { amount: 100 });
      const row = await db().selectFrom('authorizations').selectAll().where('id', '=', second.body.authorizationId).executeTakeFirstOrThrow();
      expect(row.created_at).toBe(firstAt);
      expect(row.prev_authorization_id).toBe(first.body.authorizationId);
      expect(row.prev_notified_authorization_id).toBe(first.body.authorizationId);
      const warning = h.logLines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith('clock behind'));
      expect(warning).toMatchObject({ level: 40, accountId: holder.card.accountId, behindMs: 60_000 });
      h.clock.set(firstAt + 60_000);
    });

    it('a cursor naming another account\'s authorization as its resume point is refused, and reads nothing there', async () => {
      const [mine, theirs] = [await h.cardholder(), await h.cardholder()];
      const made: string[] = [];
      for (let i = 0; i < 3; i++) { made.push((await h.authorize(mine, { amount: 100 + i })).body.authorizationId); h.clock.advance(1); }
      const stranger = (await h.authorize(theirs, { amount: 100 })).body.authorizationId;
      const newest = await db().selectFrom('authorizations').select(['id', 'created_at']).where('id', '=', made[2]).executeTakeFirstOrThrow();
      const page = (resume?: string) => h.banking(mine.token, 'GET',
        `/v1/banking/cards/${mine.card.id}/transactions?cursor=${encodeCursor({ createdAt: newest.created_at, id: newest.id }, resume ? [resume] : null)}`);
      for (const resume of [stranger, 'auth_000000000zzzzzzzzzzzz']) {
        const res = await page(resume);
        expect(res.status, resume).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_error' });
        expect(res.text).not.toContain(stranger);
      }
      // The same key resumed on this account's own chain, or with no resume id (walked from the head), pages on.
      for (const resume of [made[2], undefined]) {
        const res = await page(resume);
        expect(res.status).toBe(200);
        expect(res.body.data.map((t: { id: string }) => t.id)).toEqual([made[1], made[0]]);
      }
    });

    it(`refuses a cursor whose walk would pass more than ${MAX_WALKED_ABOVE_CURSOR} newer authorizations (a forged key)`, async () => {
      const holder = await h.cardholder();
      const first = (await h.authorize(holder, { amount: 100 })).body.authorizationId;
      const template = await db().selectFrom('authorizations').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
      // A long history, chained as authorize chains it (declines: nothing held).
      const rows = [];
      let prev = first;
      let at = template.created_at;
      for (let i = 0; i <= MAX_WALKED_ABOVE_CURSOR + 5; i++) {
        at += 1;
        const id = newId('auth', at);
        rows.push({ ...template, id, idempotency_key: `history|${id}`, approved: 0, status: 'declined' as const, response_code: '57',
          reason: 'channel_atm_or_cash', rule_id: 'channel_atm_or_cash', auth_code: null, hold_fils: 0, hold_transfer_id: null,
          expires_at: null, created_at: at, updated_at: at, prev_authorization_id: prev, prev_notified_authorization_id: null });
        prev = id;
      }
      for (let i = 0; i < rows.length; i += 200) await db().insertInto('authorizations').values(rows.slice(i, i + 200)).execute();
      await db().updateTable('card_accounts').set({ last_authorization_id: prev, last_authorization_at: at }).where('id', '=', holder.card.accountId).execute();
      h.clock.set(at + 1);
      const path = (cursor: string) => `/v1/banking/cards/${holder.card.id}/transactions?limit=2&cursor=${cursor}`;
      // Resumed at the head with the oldest key, or with no resume id: more than the bound above the key.
      for (const resume of [prev, undefined]) {
        const res = await h.banking(holder.token, 'GET', path(encodeCursor({ createdAt: template.created_at, id: first }, resume ? [resume] : null)));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_error' });
      }
      // A key near the head is served, from the head as from the cursor's own resume point.
      const near = rows[rows.length - 10];
      const res = await h.banking(holder.token, 'GET', path(encodeCursor({ createdAt: near.created_at, id: near.id })));
      expect(res.status).toBe(200);
      expect(res.body.data.map((t: { id: string }) => t.id)).toEqual([rows[rows.length - 11].id, rows[rows.length - 12].id]);
      const next = await h.banking(holder.token, 'GET', path(res.body.nextCursor));
      expect(next.body.data.map((t: { id: string }) => t.id)).toEqual([rows[rows.length - 13].id, rows[rows.length - 14].id]);
    });

    it(`notification cursors resume each walk where it stopped; one that would pass more than ${MAX_WALKED_ABOVE_CURSOR} newer ones, or names another chain, is refused`, async () => {
      const holder = await h.cardholder();
      const other = await h.cardholder();
      const first = (await h.authorize(holder, { mcc: '6011', processingCode: '010000' })).body.authorizationId;
      const quiet = (await h.authorize(holder, { mcc: '4829' })).body.authorizationId; // on the account, not on the notified chain
      const strangers = (await h.authorize(other, { amount: 100 })).body.authorizationId;
      const template = await db().selectFrom('authorizations').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
      const account = await db().selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
      // A flood of blocked attempts, chained as authorize chains them.
      const rows = [];
      let prev = account.last_authorization_id!;
      let prevNotified = first;
      let at = account.last_authorization_at!;
      for (let i = 0; i <= MAX_WALKED_ABOVE_CURSOR + 150; i++) {
        at += 1;
        const id = newId('auth', at);
        rows.push({ ...template, id, idempotency_key: `flood|${id}`, created_at: at, updated_at: at,
          prev_authorization_id: prev, prev_notified_authorization_id: prevNotified });
        prev = prevNotified = id;
      }
      for (let i = 0; i < rows.length; i += 200) await db().insertInto('authorizations').values(rows.slice(i, i + 200)).execute();
      await db().updateTable('card_accounts').set({ last_authorization_id: prev, last_authorization_at: at, last_notified_authorization_id: prev })
        .where('id', '=', holder.card.accountId).execute();
      h.clock.set(at + 1);

      // Paged to the end, deeper than the bound: every attempt once, newest first, no page refused.
      const pages = await allPagesChecked<{ kind: string; data: { authorizationId: string } }>(h, holder.token, '/v1/banking/notifications', 100);
      const attempts = pages.filter((n) => n.kind === 'blocked_attempt').map((n) => n.data.authorizationId);
      expect(attempts).toEqual([...rows].reverse().map((r) => r.id).concat(first));

      const path = (cursor: string) => `/v1/banking/notifications?limit=2&cursor=${cursor}`;
      const deep = { createdAt: template.created_at, id: `ntf_${first.slice('auth_'.length)}` };
      const near = rows[rows.length - 10];
      const nearKey = { createdAt: near.created_at, id: `ntf_${near.id.slice('auth_'.length)}` };
      const refused = async (key: typeof deep, resume: string[] | null) => {
        const res = await h.banking(holder.token, 'GET', path(encodeCursor(key, resume)));
        expect(res.status, `${key === deep ? 'deep' : 'near'} ${resume}`).toBe(400);
        expect(res.body).toMatchObject({ code: 'validation_error' });
        expect(res.text).not.toContain(strangers);
      };
      // Deep: past the bound from the head (no resume ids), or from this chain's own head.
      for (const resume of [null, [prev]]) await refused(deep, resume);
      // Near the head, where the bound does not bite: resume ids that are not this customer's notified
      // chains' (another customer's, a decline without an alert, two on one account, none at all).
      for (const resume of [[strangers], [quiet], [prev, rows[0].id], ['auth_000000000zzzzzzzzzzzz']]) await refused(nearKey, resume);
      // A key near the head is served from the head, and its next page from where that walk stopped.
      const res = await h.banking(holder.token, 'GET', path(encodeCursor(nearKey)));
      expect(res.status).toBe(200);
      const ids = (body: { data: Array<{ data: { authorizationId: string } }> }) => body.data.map((n) => n.data.authorizationId);
      expect(ids(res.body)).toEqual([rows[rows.length - 11].id, rows[rows.length - 12].id]);
      const next = await h.banking(holder.token, 'GET', path(res.body.nextCursor));
      expect(ids(next.body)).toEqual([rows[rows.length - 13].id, rows[rows.length - 14].id]);
    });

    /** A customer whose card was cancelled and requested anew `accounts - 1` times: a card account each. */
    async function customerWithAccounts(accounts: number, onEach: (card: Holder, index: number) => Promise<void>) {
      const holder = await h.cardholder();
      let card: Holder = holder;
      for (let i = 0; ; i++) {
        await onEach(card, i);
        if (i === accounts - 1) return holder;
        const cancelled = await h.banking(holder.token, 'POST', `/v1/banking/cards/${card.card.id}/cancel`, { otp: await h.otp(holder.totpSecret) });
        expect(cancelled.status, cancelled.text).toBe(200);
        const next = await h.banking(holder.token, 'POST', '/v1/banking/cards', { limit: 100_000 });
        expect(next.status, next.text).toBe(201);
        card = { ...holder, card: next.body, ...(await h.cardDetails(next.body.id)) };
      }
    }

    it('notifications of a customer with several card accounts page whole at every size, resuming each account\'s walk', async () => {
      const steps = [{ mcc: '6011', processingCode: '010000' }, { posEntryMode: '051' }, { mcc: '4829' }];
      const holder = await customerWithAccounts(3, async (card, index) => {
        for (let i = 0; i < 3 + index; i++) {
          await h.authorize(card, steps[(i + index) % steps.length]);
          if (i % 2) h.clock.advance(1); // pairs in one millisecond: ties across and within accounts
        }
      });
      const accounts = await db().selectFrom('cards').select('account_id').distinct().where('customer_id', '=', holder.customer.id).execute();
      expect(accounts).toHaveLength(3);
      const whole = (await h.banking(holder.token, 'GET', '/v1/banking/notifications?limit=100')).body.data as Array<{ id: string; kind: string }>;
      const alerts = (await db().selectFrom('authorizations').innerJoin('cards', 'cards.id', 'authorizations.card_id')
        .select('authorizations.id').where('cards.customer_id', '=', holder.customer.id).where('authorizations.rule_id', 'in', ['channel_atm_or_cash', 'channel_card_present']).execute());
      expect(whole.filter((n) => n.kind === 'blocked_attempt')).toHaveLength(alerts.length);
      for (const limit of [1, 2, 3, 4]) {
        const paged = await allPagesChecked<{ id: string }>(h, holder.token, '/v1/banking/notifications', limit);
        expect(paged.map((n) => n.id), `limit ${limit}`).toEqual(whole.map((n) => n.id));
      }
    });

    it('a customer with more card accounts than a cursor names resume points for still pages whole (from the heads, bounded)', async () => {
      const holder = await customerWithAccounts(MAX_RESUME_IDS + 2, async (card) => {
        await h.authorize(card, { mcc: '6011', processingCode: '010000' });
        h.clock.advance(1);
      });
      const whole = (await h.banking(holder.token, 'GET', '/v1/banking/notifications?limit=100')).body.data as Array<{ id: string; kind: string }>;
      expect(whole.filter((n) => n.kind === 'blocked_attempt')).toHaveLength(MAX_RESUME_IDS + 2);
      const paged = await allPagesChecked<{ id: string }>(h, holder.token, '/v1/banking/notifications', 2);
      expect(paged.map((n) => n.id)).toEqual(whole.map((n) => n.id));
    });

    it('migrations 6 and 7 build each account\'s chains and heads from a database that had none, and drop stored blocked attempts', async () => {
      const holder = await h.cardholder();
      for (let i = 0; i < 4; i++) {
        await h.authorize(holder, i === 2 ? { mcc: '6011', processingCode: '010000' } : { amount: 100 + i });
        h.clock.advance(2);
      }
      const d = db();
      await sql.raw('ALTER TABLE authorizations DROP COLUMN prev_authorization_id').execute(d);
      await sql.raw('ALTER TABLE authorizations DROP COLUMN prev_notified_authorization_id').execute(d);
      for (const c of ['last_authorization_id', 'last_authorization_at', 'last_notified_authorization_id']) {
        await sql.raw(`ALTER TABLE card_accounts DROP COLUMN ${c}`).execute(d);
      }
      await sql.raw('CREATE INDEX authorizations_account ON authorizations(account_id, created_at)').execute(d);
      await sql.raw('CREATE INDEX audit_log_time ON audit_log(created_at)').execute(d); // dropped by migration 8
      await revertToVersion8(d);
      await d.deleteFrom('schema_migrations').where('version', '>=', 6).execute();
      if (!(await d.selectFrom('schema_migrations').select('version').executeTakeFirst())) {
        await d.insertInto('schema_migrations').values({ version: 5, name: 'test', applied_at: 1 }).execute();
      }
      // The alert a version before 7 stored for the ATM attempt (its authorization is now the alert).
      const attempt = (await indexOrder(holder.card.accountId)).find((r) => r.rule_id === 'channel_atm_or_cash')!;
      await d.insertInto('notifications').values({ id: newId('ntf', attempt.created_at), customer_id: holder.customer.id,
        account_id: holder.card.accountId, card_id: holder.card.id, kind: 'blocked_attempt', severity: 'alert',
        message: 'Security alert', data: JSON.stringify({ authorizationId: attempt.id }), created_at: attempt.created_at, read_at: null }).execute();
      expect((await migrate(h.deps.handle)).version).toBe(SCHEMA_VERSION);
      expect(await d.selectFrom('notifications').select('id').where('kind', '=', 'blocked_attempt').execute()).toEqual([]);
      const alerts = (await allPagesChecked<{ kind: string; data: { authorizationId: string } }>(h, holder.token, '/v1/banking/notifications', 50))
        .filter((n) => n.kind === 'blocked_attempt');
      expect(alerts.map((n) => n.data.authorizationId)).toEqual([attempt.id]);
      for (const other of holders.concat(holder)) {
        const all = await chainOf(other.card.accountId, 'all');
        expect(all.map((r) => r.id)).toEqual((await indexOrder(other.card.accountId)).map((r) => r.id));
        await expectChainsSound(other, 3);
      }
      const account = await d.selectFrom('card_accounts').selectAll().where('id', '=', holder.card.accountId).executeTakeFirstOrThrow();
      const newest = (await indexOrder(holder.card.accountId))[0];
      expect(account).toMatchObject({ last_authorization_id: newest.id, last_authorization_at: newest.created_at });
      // Authorizing goes on from the migrated heads.
      const next = await h.authorize(holder, { amount: 100 });
      expect((await chainOf(holder.card.accountId, 'all'))[0].id).toBe(next.body.authorizationId);
      await expectChainsSound(holder, 2);
    });
  });
});
