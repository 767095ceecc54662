// What the database layer promises on both backends: money and times come back as numbers (also
// sums, which PostgreSQL types NUMERIC), and on PostgreSQL every pooled statement has a time limit.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { forEachBackend } from '../support/backends.js';
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

      it('works in the named schema only', async () => {
        const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(fresh.handle.db);
        expect(r.rows[0].schema).toBe(fresh.handle.pgSchema);
        expect(fresh.handle.pgSchema).toMatch(/^t_/);
      });
    });
  }
});
