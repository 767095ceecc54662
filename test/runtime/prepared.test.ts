// Prepared queries (runtime/prepared.ts): compiled once, and on SQLite inside a transaction run on the
// connection's own statement, whose rows come back as arrays and are made into objects by us.
// Whatever the path — SQLite direct, SQLite through kysely, PostgreSQL — a query answers the same.
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/store/db.js';
import type { FxRatesTable } from '../../src/store/schema.js';
import { param, prepared } from '../../src/runtime/prepared.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

const rateOf = prepared<{ currency: string }, { currency: string; rate: string; updated: number }>((db) =>
  db.selectFrom('fx_rates').select(['currency', 'rate', 'updated_at as updated']).where('currency', '=', param('currency')));
const ratesFrom = prepared<{ from: string }, { currency: string; rate: string; updated: number }>((db) =>
  db.selectFrom('fx_rates').select(['currency', 'rate', 'updated_at as updated']).where('currency', '>=', param('from')).orderBy('currency'));
const setRate = prepared<{ currency: string; rate: string }, never>((db) =>
  db.updateTable('fx_rates').set({ rate: param('rate') }).where('currency', '=', param('currency')));

forEachBackend((backend) => {
  let handle: DbHandle;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, close: cleanup } = await openMigratedDatabase(backend, { poolSize: 2 }));
    await handle.db.insertInto('fx_rates').values([
      { currency: 'Q01', rate: '0.25', updated_at: 1 }, { currency: 'Q02', rate: '3.5', updated_at: 2 },
    ]).execute();
  });
  afterAll(() => cleanup());

  describe('prepared queries', () => {
    it('answer alike in a transaction and outside one: same keys in select order, aliases kept', async () => {
      // Inside first: a statement in raw mode must not reach the kysely path used outside.
      const inside = await inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q01' }));
      const outside = await rateOf.first(handle.db, { currency: 'Q01' });
      expect(inside).toEqual({ currency: 'Q01', rate: '0.25', updated: 1 });
      expect(Object.keys(inside!)).toEqual(['currency', 'rate', 'updated']);
      expect(inside).toEqual(outside);
    });

    it('a miss is undefined; many rows come in order; a writer returns no rows and its change is seen', async () => {
      await inTransaction(handle, async (trx) => {
        expect(await rateOf.first(trx, { currency: 'Q99' })).toBeUndefined();
        expect(await ratesFrom.execute(trx, { from: 'Q01' })).toEqual([
          { currency: 'Q01', rate: '0.25', updated: 1 }, { currency: 'Q02', rate: '3.5', updated: 2 },
        ]);
        expect(await setRate.execute(trx, { currency: 'Q02', rate: '3.75' })).toEqual([]);
        expect((await rateOf.first(trx, { currency: 'Q02' }))?.rate).toBe('3.75');
      });
      expect((await rateOf.first(handle.db, { currency: 'Q02' }))?.rate).toBe('3.75');
    });

    if (backend === 'sqlite') {
      it('after the table is rebuilt with its columns in another order (a migration while running), every value keeps its name', async () => {
        const { handle: onDisk, close } = await openMigratedDatabase(backend, { onDisk: true });
        try {
          const everything = prepared<{ currency: string }, FxRatesTable>((db) => db.selectFrom('fx_rates').selectAll().where('currency', '=', param('currency')));
          await onDisk.db.insertInto('fx_rates').values({ currency: 'M01', rate: '2.5', updated_at: 7 }).execute();
          const read = () => inTransaction(onDisk, async (trx) => [await everything.first(trx, { currency: 'M01' }), await rateOf.first(trx, { currency: 'M01' })]);
          const expected = [{ currency: 'M01', rate: '2.5', updated_at: 7 }, { currency: 'M01', rate: '2.5', updated: 7 }];
          expect(await read()).toEqual(expected); // both statements prepared and kept
          const other = new SqliteDatabase(onDisk.sqlite!.name);
          other.exec(`create table fx_new (updated_at BIGINT NOT NULL, rate TEXT NOT NULL, currency TEXT PRIMARY KEY);
            insert into fx_new (updated_at, rate, currency) select updated_at, rate, currency from fx_rates;
            drop table fx_rates; alter table fx_new rename to fx_rates;`);
          other.close();
          expect(await read()).toEqual(expected);
        } finally {
          await close();
        }
      });
    }

    it('takes a value missing from its values from a second source, its values first', async () => {
      const currency = { currency: 'M02' };
      await inTransaction(handle, async (trx) => {
        await trx.insertInto('fx_rates').values({ currency: 'M02', rate: '1', updated_at: 1 }).execute();
        await setRate.execute(trx, currency as { currency: string; rate: string }, { rate: '3.25', currency: 'ignored' });
        expect(await rateOf.first(trx, currency)).toEqual({ currency: 'M02', rate: '3.25', updated: 1 });
      });
      // Outside a transaction (kysely's path) as well.
      await setRate.execute(handle.db, currency as { currency: string; rate: string }, { rate: '4.5' });
      expect(await rateOf.first(handle.db, currency)).toMatchObject({ rate: '4.5' });
    });

    it('refuses to run without a value for one of its parameters', async () => {
      await expect(inTransaction(handle, (trx) => rateOf.first(trx, {} as { currency: string })))
        .rejects.toThrow('prepared query: no value for currency');
    });
  });
});
