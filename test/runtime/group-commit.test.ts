// Group commit (runtime/group-commit.ts): units of work that arrive together share one
// transaction; a failing unit is rolled back alone (the batch runs again, a savepoint per unit);
// nobody is answered before the commit. Checked against a second connection that only sees
// committed data.
import { existsSync, unlinkSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GroupCommit, groupCommitFor, type BatchStats } from '../../src/runtime/group-commit.js';
import type { DbHandle, Trx } from '../../src/store/db.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';
import { Harness } from '../support/harness.js';

forEachBackend((backend) => {
  let handle: DbHandle;
  let committed: (currency: string) => Promise<boolean>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // On disk: the group commit runs as in production, WAL fsync included.
    const opened = await openMigratedDatabase(backend, { onDisk: true });
    handle = opened.handle;
    if (backend === 'postgres') {
      // Another pooled connection: sees only what has been committed.
      committed = async (c) => (await handle.db.selectFrom('fx_rates').select('currency').where('currency', '=', c).execute()).length === 1;
      cleanup = opened.close;
    } else {
      const reader = new SqliteDatabase(handle.sqlite!.name, { readonly: true });
      const probe = reader.prepare('select 1 from fx_rates where currency = ?');
      committed = async (c) => probe.get(c) !== undefined;
      cleanup = async () => { reader.close(); await opened.close(); };
    }
  });
  afterAll(() => cleanup());

  const insertRate = (currency: string) => (trx: Trx) =>
    trx.insertInto('fx_rates').values({ currency, rate: '1', updated_at: 0 }).execute().then(() => currency);

  describe('group commit', () => {
    it('isolates a failing unit in its savepoint and answers each only after the commit', async () => {
      const gc = new GroupCommit(handle);
      const batches: BatchStats[] = [];
      gc.observe((s) => batches.push(s));
      const seenAtAnswer: Record<string, boolean> = {};
      const answered = (c: string) => async () => { seenAtAnswer[c] = await committed(c); };
      const failing = async (trx: Trx) => {
        await insertRate('F02')(trx);
        throw new Error('boom');
      };
      const results = await Promise.allSettled([
        gc.run(insertRate('F01')).then(answered('F01')),
        gc.run(failing),
        gc.run(insertRate('F03')).then(answered('F03')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toBe('boom');
      // One commit for the three, one of them rolled back (in the run with savepoints).
      expect(batches).toEqual([expect.objectContaining({ size: 3, failed: 1, rerun: true })]);
      // When each caller was answered, its row was already visible to another connection.
      expect(seenAtAnswer).toEqual({ F01: true, F03: true });
      expect(await committed('F02')).toBe(false);
      // The batch committed with SQLite's own fsync relaxed (ours ran before the answers); the
      // connection is back at FULL for every other writer.
      if (backend === 'sqlite') expect(handle.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
    });

    it('a batch where nothing fails runs once, without savepoints, and commits every unit', async () => {
      const gc = new GroupCommit(handle);
      const batches: BatchStats[] = [];
      gc.observe((s) => batches.push(s));
      let runs = 0;
      const counted = (c: string) => async (trx: Trx) => { runs++; return insertRate(c)(trx); };
      expect(await Promise.all(['N01', 'N02', 'N03'].map((c) => gc.run(counted(c))))).toEqual(['N01', 'N02', 'N03']);
      expect(runs).toBe(3);
      expect(batches).toEqual([expect.objectContaining({ size: 3, failed: 0, rerun: false })]);
      for (const c of ['N01', 'N02', 'N03']) expect(await committed(c)).toBe(true);
    });

    it('a unit that fails after writing: the first run is rolled back whole, nothing of it is kept, and the rerun commits its neighbours once', async () => {
      const gc = new GroupCommit(handle);
      const batches: BatchStats[] = [];
      gc.observe((s) => batches.push(s));
      const runs: Record<string, number> = {};
      const counted = (c: string) => async (trx: Trx) => { runs[c] = (runs[c] ?? 0) + 1; return insertRate(c)(trx); };
      const results = await Promise.allSettled([
        gc.run(counted('R01')),
        gc.run(async (trx) => { await counted('R02')(trx); throw new Error('after a write'); }),
        gc.run(counted('R03')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // The first run stopped at the failing unit; the rerun ran all three. R01's insert ran twice,
      // yet no unique violation surfaced: the first run's row was rolled back with it.
      expect(runs).toEqual({ R01: 2, R02: 2, R03: 1 });
      expect(batches).toEqual([expect.objectContaining({ size: 3, failed: 1, rerun: true })]);
      expect(await committed('R01')).toBe(true);
      expect(await committed('R02')).toBe(false);
      expect(await committed('R03')).toBe(true);
    });

    it('a unit that fails after its transaction is gone fails the batch whole, and every caller learns both errors', async () => {
      const gc = new GroupCommit(handle);
      const results = await Promise.allSettled([
        gc.run(insertRate('G01')),
        gc.run(async (trx) => { await sql`rollback`.execute(trx); throw new Error('after the transaction ended'); }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      // On PostgreSQL a rollback outside a transaction is only a warning: there the rerun's
      // savepoint is what fails, and that error ends the batch.
      if (backend === 'sqlite') {
        for (const r of results) {
          const error = (r as PromiseRejectedResult).reason as AggregateError;
          expect(error).toBeInstanceOf(AggregateError);
          expect(error.errors.map((e: Error) => e.message)).toContain('after the transaction ended');
        }
      }
      expect(await committed('G01')).toBe(false);
      // The connection is usable again.
      expect(await gc.run(insertRate('G02'))).toBe('G02');
    });

    it('hold(): waits for the batch under way, begins none while held, and runs what queued meanwhile once released', async () => {
      const gc = new GroupCommit(handle);
      const batches: BatchStats[] = [];
      gc.observe((s) => batches.push(s));
      let finishFirst: (() => void) | undefined;
      const first = gc.run(async (trx) => {
        const currency = await insertRate('H01')(trx);
        await new Promise<void>((resolve) => { finishFirst = resolve; });
        return currency;
      });
      await vi.waitUntil(() => finishFirst);
      let holding = false;
      const held = gc.hold().then((release) => { holding = true; return release; });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The batch's transaction is still open: the hold waits for it.
      expect(holding).toBe(false);
      finishFirst!();
      const release = await held;
      expect(await first).toBe('H01');
      const second = gc.run(insertRate('H02'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(gc.queued).toBe(1);
      expect(await committed('H02')).toBe(false);
      release();
      expect(await second).toBe('H02');
      expect(await committed('H02')).toBe(true);
      expect(batches.map((b) => b.size)).toEqual([1, 1]);
    });

    it('a unique violation is retried once (the verb then finds what its twin wrote)', async () => {
      const gc = new GroupCommit(handle);
      await insertRate('T01')(handle.db as unknown as Trx);
      let attempts = 0;
      const twin = async (trx: Trx) => {
        attempts++;
        if (attempts === 1) return insertRate('T01')(trx);
        return 'found the twin';
      };
      expect(await gc.run(twin)).toBe('found the twin');
      expect(attempts).toBe(2);
    });

    it('property: whatever fails, exactly the units that succeeded are committed', async () => {
      let round = 0;
      await fc.assert(fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), async (fails) => {
        round++;
        const gc = new GroupCommit(handle);
        const codes = fails.map((_, i) => `P${round}_${i}`);
        const results = await Promise.allSettled(codes.map((c, i) => gc.run(async (trx) => {
          await insertRate(c)(trx);
          if (fails[i]) throw new Error('fail');
          return c;
        })));
        for (let i = 0; i < codes.length; i++) {
          expect(results[i].status).toBe(fails[i] ? 'rejected' : 'fulfilled');
          expect(await committed(codes[i])).toBe(!fails[i]);
        }
      }), { numRuns: 15 });
    });
  });

  if (backend === 'sqlite') {
    describe('a WAL fsync that fails', () => {
      it('answers nobody as committed: every caller of the batch gets the error', async () => {
        const { handle: h, close } = await openMigratedDatabase(backend, { onDisk: true });
        const file = h.sqlite!.name;
        try {
          expect(h.walSync).toBeDefined(); // synchronous=FULL on a file: group commits fsync the WAL themselves
          // A real failure, no stand-in: the WAL file's name is gone (SQLite keeps writing to the
          // file it has open), so the fsync after the commit cannot open it.
          expect(existsSync(`${file}-wal`)).toBe(true);
          unlinkSync(`${file}-wal`);
          const gc = new GroupCommit(h);
          const batches: BatchStats[] = [];
          gc.observe((s) => batches.push(s));
          const results = await Promise.allSettled([gc.run(insertRate('W01')), gc.run(insertRate('W02'))]);
          expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
          for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ENOENT' });
          expect(batches).toEqual([expect.objectContaining({ size: 2, failed: 2 })]);
          expect(h.walSync!.completed).toBe(0);
        } finally {
          await close();
        }
      });
    });

    describe('group commit under the authorization route', () => {
      let h: Harness;
      beforeAll(async () => { h = await Harness.create({ backend }); });
      afterAll(() => h.close());

      it('authorizations arriving together share a commit with a failing neighbour, and all are approved', async () => {
        const holder = await h.cardholder(200_000);
        const gc = groupCommitFor(h.deps.handle);
        const batches: BatchStats[] = [];
        gc.observe((s) => batches.push(s));
        const failing = gc.run(async (trx) => {
          await insertRate('A01')(trx);
          throw new Error('neighbour fails');
        });
        const answers = await Promise.all(Array.from({ length: 5 }, () => h.authorize(holder, { amount: 1_000 })));
        await expect(failing).rejects.toThrow('neighbour fails');
        for (const a of answers) expect(a.body).toMatchObject({ responseCode: '00', approved: true });
        const batch = batches.find((b) => b.failed === 1)!;
        expect(batch.size).toBeGreaterThan(1);
        expect(await h.deps.handle.db.selectFrom('fx_rates').select('currency').where('currency', '=', 'A01').executeTakeFirst()).toBeUndefined();
        const { db } = h.deps.handle;
        const card = await db.selectFrom('cards').select('account_id').where('id', '=', holder.card.id).executeTakeFirstOrThrow();
        const account = await db.selectFrom('card_accounts').selectAll().where('id', '=', card.account_id).executeTakeFirstOrThrow();
        expect(account.held_fils).toBe(5_000);
      });
    });
  }
});
