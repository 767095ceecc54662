// GET /v1/admin/audit on SQLite reads the log in slices of rows with the event loop free between
// them (service/audit/list-audit.ts): a filter without an index must not hold the thread that
// answers the network for the whole log. Slicing must not change any answer.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, listAudit, type AuditFilter } from '../../src/service/audit/list-audit.js';
import { appendAudit } from '../../src/store/audit.repository.js';
import type { AuditLogTable } from '../../src/store/schema.js';
import type { DbHandle } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

const ACTORS = ['staff_a', 'staff_b', 'cus_1'] as const;
const ACTIONS = ['card.frozen', 'card.unfrozen', 'limit.changed', 'authorization.approved'] as const;
const ACCOUNTS = ['ca_1', 'ca_2', null] as const;
const BASE_MS = 1_800_000_000_000;
const ENTRIES = 90;

forEachBackend((backend) => {
  let handle: DbHandle;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, close } = await openMigratedDatabase(backend));
    // Several entries per millisecond, so that slice edges and cursors fall inside a tie.
    for (let i = 0; i < ENTRIES; i++) {
      await inTransaction(handle, (trx) => appendAudit(trx, {
        accountId: ACCOUNTS[i % 3] ?? undefined, actorType: i % 3 === 2 ? 'cardholder' : 'staff', actorId: ACTORS[i % 3],
        action: ACTIONS[(i * 7) % 4], subject: `card_${i % 5}`, nowMs: BASE_MS + Math.floor(i / 3),
      }));
    }
  });
  afterAll(() => close());

  // Each filter is left out two times in three, so that most combinations still match entries.
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  const filters = fc.record({
    actor: maybe(fc.constantFrom(...ACTORS, 'nobody')),
    action: maybe(fc.constantFrom('card.*', 'limit.changed', 'authorization.approved', 'none')),
    subject: maybe(fc.constantFrom('card_0', 'card_3', 'card_9')),
    account: maybe(fc.constantFrom('ca_1', 'ca_2', 'ca_9')),
    stream: maybe(fc.constantFrom('global', 'account:ca_1')),
    fromMs: maybe(fc.integer({ min: BASE_MS - 2, max: BASE_MS + 32 })),
    toMs: maybe(fc.integer({ min: BASE_MS - 2, max: BASE_MS + 32 })),
    limit: fc.integer({ min: 1, max: 12 }),
  });

  /** Every page, following nextCursor to the end. */
  async function everyPage(f: AuditFilter, sliceRows: number) {
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await listAudit(handle.db, { ...f, cursor }, sliceRows);
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages.length < ENTRIES + 2);
    return pages;
  }

  describe('audit list slices', () => {
    /** What the filter means, over every entry, in plain code: the ids a client paging through must see. */
    function expectedIds(all: AuditLogTable[], f: AuditFilter): string[] {
      return all.filter((e) => (f.actor === undefined || e.actor_id === f.actor)
        && (f.action === undefined || (f.action.endsWith('*') ? e.action.startsWith(f.action.slice(0, -1)) : e.action === f.action))
        && (f.subject === undefined || e.subject === f.subject)
        && (f.stream === undefined || e.stream === f.stream)
        && (f.account === undefined || e.account_id === f.account || e.stream === `account:${f.account}`)
        && (f.fromMs === undefined || Number(e.created_at) >= f.fromMs)
        && (f.toMs === undefined || Number(e.created_at) < f.toMs))
        .map((e) => e.id).sort().reverse();
    }

    it('pages through exactly the entries the filter means, newest first, at any slice size', async () => {
      const all = await handle.db.selectFrom('audit_log').selectAll().execute();
      expect(all).toHaveLength(ENTRIES);
      let matched = 0;
      await fc.assert(fc.asyncProperty(filters, fc.integer({ min: 1, max: 9 }), async (f, sliceRows) => {
        if (expectedIds(all, f).length > 1) matched++;
        const pages = await everyPage(f, sliceRows);
        expect(pages.flatMap((p) => p.data.map((e) => e.id))).toEqual(expectedIds(all, f));
        // Full pages until the last, which alone has no cursor.
        pages.slice(0, -1).forEach((p) => { expect(p.data).toHaveLength(f.limit); expect(p.nextCursor).not.toBeNull(); });
        expect(pages.at(-1)!.nextCursor).toBeNull();
        expect(pages).toEqual(await everyPage(f, Number.MAX_SAFE_INTEGER));
      }), { numRuns: 80 });
      expect(matched).toBeGreaterThan(20); // the property was not tried on empty answers only
    });

    it('a filter nothing matches still answers an empty page, with no cursor', async () => {
      expect(await listAudit(handle.db, { actor: 'nobody', limit: 10 }, 4)).toEqual({ data: [], nextCursor: null });
    });

    if (backend === 'sqlite') {
      it('a slice is read by id range whatever the filters, never through the (stream, seq) index (SQLite)', async () => {
        for (const f of [{ stream: 'global' }, { stream: 'global', actor: 'staff_a' }, { account: 'ca_1' }, { subject: 'card_1', action: 'card.*' }]) {
          const query = auditEntries(handle.db, { ...f, limit: 10 }, 'au_0', 'au_z').limit(11).compile();
          const plan = handle.sqlite!.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as { detail: string }[];
          const details = plan.map((p) => p.detail).join('; ');
          expect(details).toMatch(/sqlite_autoindex_audit_log_1 \(id>\? AND id<\?\)/);
          expect(details).not.toMatch(/TEMP B-TREE|audit_log_2/);
        }
      });

      it('lets the event loop run between slices (SQLite)', async () => {
        let turns = 0;
        let ticking = true;
        const tick = () => { turns++; if (ticking) setImmediate(tick); };
        setImmediate(tick);
        const found = await listAudit(handle.db, { actor: 'nobody', limit: 10 }, 3);
        ticking = false;
        expect(found.data).toEqual([]);
        // 90 entries in slices of 3: about 30 slices, a turn of the loop after each.
        expect(turns).toBeGreaterThanOrEqual(25);
      });
    }
  });
});
