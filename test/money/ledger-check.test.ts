// The ledger integrity check finds any difference between cached balances and the ledger:
// through GET /v1/admin/ledger/check and `npm run ledger:check` (non-zero exit on a difference).
import { spawnSync } from 'node:child_process';
import SqliteDatabase from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareLedger } from '../../src/domain/ledger-check.js';
import { migrate } from '../../src/store/migrate.js';
import { openDatabase } from '../../src/store/db.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { approvedPurchase, clear, recordFor, type Holder } from '../support/money.js';

describe('compareLedger (pure)', () => {
  const sums = (posted: Record<string, number>, open: Record<string, number> = {}) => ({
    postedDebits: 10, postedCredits: 10, nonPositive: 0,
    postedNet: new Map(Object.entries(posted)), openPendingNet: new Map(Object.entries(open)),
  });
  it('agrees when every cached balance equals its entries', () => {
    expect(compareLedger(sums({ 'card:a': 700, 'current:c': -300 }, { 'card:a': 50 }), {
      cardAccounts: [{ id: 'a', postedFils: 700, heldFils: 50, pendingAuthorizationHoldFils: 50 }],
      currentAccounts: [{ id: 'c', balanceFils: 300 }],
    })).toEqual([]);
  });
  it('reports each kind of difference', () => {
    const diff = compareLedger({ ...sums({ 'card:a': 700 }), postedCredits: 9, nonPositive: 1 }, {
      cardAccounts: [{ id: 'a', postedFils: 701, heldFils: 5, pendingAuthorizationHoldFils: 7 }],
      currentAccounts: [{ id: 'c', balanceFils: 1 }],
    });
    expect(diff.map((d) => d.check)).toEqual([
      'debits_equal_credits', 'positive_amounts', 'card_posted', 'card_held', 'authorization_holds', 'current_balance',
    ]);
  });
});

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
    const a = await approvedPurchase(h, holder, { amount: 12_000 });
    await clear(h, [recordFor(a.request, a.authCode)]);
    await approvedPurchase(h, holder, { amount: 3_000 });
  });

  describe('GET /v1/admin/ledger/check', () => {
    it('is ok on consistent books, and names the account whose cached balance drifted', async () => {
      const ok = await h.admin('GET', '/v1/admin/ledger/check');
      expect(ok.status).toBe(200);
      expect(ok.body.ok).toBe(true);
      expect(ok.body.totals.postedDebits).toBe(ok.body.totals.postedCredits);
      await h.deps.handle.db.updateTable('card_accounts').set({ held_fils: 2_999 }).where('id', '=', holder.card.accountId).execute();
      await h.deps.handle.db.updateTable('current_accounts').set({ balance_fils: 1 }).where('id', '=', holder.customer.currentAccountId).execute();
      const bad = await h.admin('GET', '/v1/admin/ledger/check');
      expect(bad.body.ok).toBe(false);
      expect(bad.body.differences).toEqual(expect.arrayContaining([
        { check: 'card_held', subject: holder.card.accountId, ledger: 3_000, cached: 2_999 },
        { check: 'current_balance', subject: holder.customer.currentAccountId, ledger: 1_000_000, cached: 1 },
      ]));
      await h.deps.handle.db.updateTable('card_accounts').set({ held_fils: 3_000 }).where('id', '=', holder.card.accountId).execute();
      await h.deps.handle.db.updateTable('current_accounts').set({ balance_fils: 1_000_000 }).where('id', '=', holder.customer.currentAccountId).execute();
      expect((await h.admin('GET', '/v1/admin/ledger/check')).body.ok).toBe(true);
      expect((await h.request('GET', '/v1/admin/ledger/check')).status).toBe(401);
    });
  });
});

describe('npm run ledger:check', () => {
  it('exits 0 on consistent books and 1 on a difference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-check-'));
    const url = `sqlite:${join(dir, 'cards.db')}`;
    try {
      const handle = openDatabase(url);
      await migrate(handle, Date.now());
      const db = handle.db;
      await db.insertInto('customers').values({ id: 'cus_1', username: 'u1', password_hash: 'x', name: 'U', language: 'en',
        totp_secret: null, totp_pending: null, totp_last_step: 0, created_at: 1 }).execute();
      await db.insertInto('products').values({ code: 'p', bin: '465781', allowed_limits: '[100000]', over_limit_margin_percent: 20,
        blocked_mccs: '[]', hold_lifetime_days: 7, fx_markup_bps: 250, three_ds_threshold_fils: null, allow_mail_order: 0, updated_at: 1, frictionless_ceiling_fils: 20_000 }).execute();
      await db.insertInto('card_accounts').values({ id: 'acct_1', customer_id: 'cus_1', product_code: 'p', limit_fils: 100_000,
        posted_fils: 500, held_fils: 0, over_limit_enabled: 1, over_limit_used: 0, over_limit_auth_id: null, over_limit_used_at: null,
        status: 'open', created_at: 1, closed_at: null }).execute();
      await db.insertInto('ledger_transfers').values({ id: 'tr_1', account_id: 'acct_1', kind: 'posted', pending_id: null,
        debit_account: 'card:acct_1', credit_account: 'network:settlement', amount_fils: 500, reference: 'clearing:x', created_at: 1 }).execute();
      const run = () => spawnSync(join('node_modules', '.bin', 'tsx'), ['scripts/ledger-check.ts'],
        { env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' }, encoding: 'utf8' });
      const good = run();
      expect(good.stdout).toContain('ledger OK');
      expect(good.status).toBe(0);
      // Beside a writer in the middle of a transaction (the service's group commit): the check takes
      // no write lock, so it neither waits for the writer nor sees what it has not committed.
      const writer = new SqliteDatabase(url.slice('sqlite:'.length));
      try {
        writer.exec('begin immediate');
        writer.prepare("update card_accounts set posted_fils = 1 where id = 'acct_1'").run();
        const beside = run();
        expect(beside.stdout).toContain('ledger OK');
        expect(beside.status).toBe(0);
      } finally {
        writer.exec('rollback');
        writer.close();
      }
      await db.updateTable('card_accounts').set({ posted_fils: 499 }).where('id', '=', 'acct_1').execute();
      await handle.close();
      const bad = run();
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain('DIFFERENCE card_posted acct_1: ledger 500, cached 499');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
