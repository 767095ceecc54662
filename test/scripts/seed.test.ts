// The benchmark's seeding script (scripts/seed.ts) leaves a database whose books balance: every
// cached balance equals what the ledger says, as `npm run ledger:check` requires of any database.
// Its history is chained per account as authorize chains it, so the lists read it back whole.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed.js';
import type { Secrets } from '../../src/config.js';
import { notifiesCardholder } from '../../src/domain/rules.js';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { walkChain, type Chain } from '../../src/store/authorization-chains.repository.js';
import { openDatabase } from '../../src/store/db.js';

const dir = mkdtempSync(join(tmpdir(), 'isc-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a seeded database passes the ledger check (card balances and opening balances are ledger entries) and chains its history', async () => {
  const secrets: Secrets = { adminApiKey: 'a'.repeat(32), networkKeyId: 'net_seed', networkSecret: 's'.repeat(32), masterKey: randomBytes(32) };
  const databaseUrl = `sqlite:${join(dir, 'seed.db')}`;
  const seeded = await seedDatabase({ databaseUrl, cards: 40, history: 300, secrets });
  expect(seeded.cards.length).toBeGreaterThan(0);
  const handle = openDatabase(databaseUrl, { backgroundCheckpoints: false });
  try {
    const report = await checkLedger(handle.db);
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ cardAccounts: 40, currentAccounts: 40 });
    expect(report.totals.postedDebits).toBe(report.totals.postedCredits);
    const openings = await handle.db.selectFrom('ledger_transfers').select('id').where('reference', 'like', 'opening:%').execute();
    expect(openings).toHaveLength(40);

    // Declines of both kinds: on the notified chain (blocked attempts) and off it.
    const declines = await handle.db.selectFrom('authorizations').select('rule_id').where('approved', '=', 0).execute();
    expect(new Set(declines.map((d) => d.rule_id))).toEqual(new Set(['channel_card_present', 'mcc_blocked']));
    const accounts = await handle.db.selectFrom('card_accounts').selectAll().execute();
    for (const account of accounts) {
      for (const [chain, head] of [['all', account.last_authorization_id], ['notified', account.last_notified_authorization_id]] as const) {
        const walked: string[] = [];
        await walkChain(handle.db, account.id, chain as Chain, head, 10, (row) => { walked.push(row.id); return true; });
        const expected = await handle.db.selectFrom('authorizations').select(['id', 'approved', 'rule_id']).where('account_id', '=', account.id)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
        expect(walked).toEqual(expected.filter((r) => chain === 'all' || notifiesCardholder({ approved: r.approved === 1, ruleId: r.rule_id })).map((r) => r.id));
      }
    }
  } finally {
    await handle.close();
  }
});
