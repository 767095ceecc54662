// What the database layer promises on both backends: money and times come back as numbers (also
// sums, which PostgreSQL types NUMERIC), and on PostgreSQL every pooled statement has a time limit.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walSizeLimitBytes } from '../../src/runtime/checkpointer.js';
import { openDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { backendUrl, forEachBackend } from '../support/backends.js';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';

forEachBackend((backend) => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase(backend, { statementTimeoutMs: 500 });
    await migrate(fresh.handle);
    await fresh.handle.db.insertInto('fx_rates').values([
      { currency: '840', rate: '0.30', updated_at: 4_000_000_000_000 },
      { currency: '978', rate: '0.33', updated_at: 4_000_000_000_001 },
    ]).execute();
  });
  afterAll(() => fresh.close());

  describe('numbers', () => {
    it('BIGINT columns, count() and sum() come back as exact JavaScript numbers', async () => {
      const row = await fresh.handle.db.selectFrom('fx_rates').select((eb) => [
        eb.fn.sum<number>('updated_at').as('total'), eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest'),
      ]).executeTakeFirstOrThrow();
      expect(row).toEqual({ total: 8_000_000_000_001, n: 2, latest: 4_000_000_000_001 });
      const rate = await fresh.handle.db.selectFrom('fx_rates').select('rate').where('currency', '=', '840').executeTakeFirstOrThrow();
      expect(rate.rate).toBe('0.30'); // decimal strings stay strings
    });
  });

  if (backend === 'postgres') {
    describe('PostgreSQL settings', () => {
      it('cancels a statement that runs past PG_STATEMENT_TIMEOUT_MS (57014)', async () => {
        await expect(sql`select pg_sleep(2)`.execute(fresh.handle.db)).rejects.toMatchObject({ code: '57014' });
        const ok = await sql<{ one: number }>`select 1 as one`.execute(fresh.handle.db);
        expect(ok.rows).toEqual([{ one: 1 }]); // the pool is still usable
      });

      it("keeps the settings DATABASE_URL's options give, beside its own", async () => {
        const url = new URL(backendUrl('postgres')!);
        url.searchParams.set('options', '-c plan_cache_mode=force_generic_plan -c application_name=from-the-url -c statement_timeout=0');
        const handle = openDatabase(url.toString(), { pgSchema: fresh.handle.pgSchema, statementTimeoutMs: 500, poolSize: 1 });
        try {
          const r = await sql<{ mode: string; app: string; timeout: string; schema: string }>`
            select current_setting('plan_cache_mode') as mode, current_setting('application_name') as app,
                   current_setting('statement_timeout') as timeout, current_schema() as schema`.execute(handle.db);
          expect(r.rows[0]).toEqual({ mode: 'force_generic_plan', app: 'from-the-url', timeout: '500ms', schema: fresh.handle.pgSchema });
        } finally {
          await handle.close();
        }
      });

      it('works in the named schema only', async () => {
        const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(fresh.handle.db);
        expect(r.rows[0].schema).toBe(fresh.handle.pgSchema);
        expect(fresh.handle.pgSchema).toMatch(/^t_/);
      });
    });
  }
});

describe('SQLite transactions begin IMMEDIATE (two connections to one file)', () => {
  it('a transaction that reads, then writes, is not undone by another connection committing in between', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isc-immediate-'));
    const handle = openDatabase(`sqlite:${join(dir, 'two.db')}`, { backgroundCheckpoints: false });
    const other = new Database(join(dir, 'two.db'));
    try {
      await sql`create table counters (id integer primary key, n integer not null)`.execute(handle.db);
      await sql`insert into counters values (1, 0)`.execute(handle.db);
      other.pragma('busy_timeout = 0');
      let otherWrote: boolean | undefined;
      await handle.db.transaction().execute(async (trx) => {
        const row = await sql<{ n: number }>`select n from counters where id = 1`.execute(trx);
        // Another connection (the authorization worker, a script) tries to commit meanwhile: it must
        // wait its turn (here: fail at once, busy_timeout 0) instead of invalidating what we read.
        try { other.prepare('update counters set n = n + 100 where id = 1').run(); otherWrote = true; } catch { otherWrote = false; }
        await sql`update counters set n = ${row.rows[0].n + 1} where id = 1`.execute(trx);
      });
      expect(otherWrote).toBe(false);
      const after = await sql<{ n: number }>`select n from counters where id = 1`.execute(handle.db);
      expect(after.rows[0].n).toBe(1);
    } finally {
      other.close();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the limit sits above the usual WAL of every configuration, so that no ordinary restart cuts the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isc-wal-limits-'));
    const configurations = [
      { options: {}, usualFrames: 24_000 + 16_000 }, // the group commit restarts it; the backstop above
      { options: { sqliteWalRestartPages: 0 }, usualFrames: 16_000 }, // the backstop alone (worker mode's main connection)
      { options: { sqliteWalRestartPages: 2_000 }, usualFrames: 2_000 + 16_000 },
      { options: { backgroundCheckpoints: 'elsewhere' as const }, usualFrames: 16_000 }, // the authorization worker's connection
      { options: { backgroundCheckpoints: false }, usualFrames: 1_000 }, // SQLite's own checkpoints
    ];
    try {
      for (const [i, c] of configurations.entries()) {
        const handle = openDatabase(`sqlite:${join(dir, `c${i}.db`)}`, c.options);
        const limit = handle.sqlite!.pragma('journal_size_limit', { simple: true }) as number;
        await handle.close();
        // A WAL of that many frames, every frame a page and a 24-byte header, after a 32-byte header.
        expect(limit, JSON.stringify(c.options)).toBeGreaterThan(32 + c.usualFrames * (4_096 + 24));
        expect(limit).toBeLessThan(2 * c.usualFrames * 4_096);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the WAL file after a reader held it from starting over (SQLite)', () => {
  it('is cut back to the size at which the main connection checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isc-wal-limit-'));
    // No checkpoint threads: the main connection checkpoints itself at 1,000 pages (4 MiB).
    const handle = openDatabase(`sqlite:${join(dir, 'wal.db')}`, { backgroundCheckpoints: false, sqliteSynchronous: 'NORMAL' });
    const sqlite = handle.sqlite!;
    const walBytes = () => statSync(join(dir, 'wal.db-wal')).size;
    try {
      sqlite.exec('create table filler (id integer primary key, data blob)');
      const insert = sqlite.prepare('insert into filler (data) values (randomblob(3000))');
      const writeMiB = (mib: number) => { for (let i = 0; i < mib * 350; i++) insert.run(); };
      // A report's read transaction on another connection pins the WAL while 12 MiB are written.
      const reader = new Database(join(dir, 'wal.db'), { readonly: true });
      reader.exec('begin');
      reader.prepare('select count(*) from filler').get();
      writeMiB(12);
      expect(walBytes()).toBeGreaterThan(12 * 2 ** 20);
      reader.exec('commit');
      reader.close();
      // Past the checkpoint the WAL starts over, and the commit that starts it cuts the file.
      writeMiB(5);
      expect(walBytes()).toBeLessThanOrEqual(walSizeLimitBytes(1_000, 4_096));
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
