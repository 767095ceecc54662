// Inside a transaction on PostgreSQL, a prepared query's named statement runs on the transaction's
// pg client directly (runtime/pg-direct.ts): the same rows as through kysely, the row description
// asked for once per statement and connection, errors as pg gives them.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferWrites, indexScansOnly, param, prepared } from '../../src/runtime/prepared.js';
import type { DbHandle } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { freshDatabase, openMigratedDatabase } from '../support/databases.js';

const rateOf = prepared<{ currency: string }, { currency: string; rate: string; updated_at: number }>((db) =>
  db.selectFrom('fx_rates').select(['currency', 'rate', 'updated_at']).where('currency', '=', param('currency')));
const ratesFrom = prepared<{ from: string }, { currency: string; updated_at: number | null; none: string | null }>((db) =>
  db.selectFrom('fx_rates').select((eb) => ['currency', 'updated_at', eb.val(null).as('none')])
    .where('currency', '>=', param('from')).orderBy('currency'));
const addRate = prepared<{ currency: string; rate: string; updated_at: number }, never>((db) =>
  db.insertInto('fx_rates').values({ currency: param('currency'), rate: param('rate'), updated_at: param('updated_at') }));

forEachBackend((backend) => {
  if (backend === 'sqlite') {
    it('SQLite runs its own statements instead: the same queries answer alike', async () => {
      const { handle, close } = await openMigratedDatabase(backend);
      try {
        await inTransaction(handle, (trx) => addRate.execute(trx, { currency: 'Q01', rate: '0.25', updated_at: 2 ** 40 }));
        expect(await inTransaction(handle, (trx) => ratesFrom.execute(trx, { from: 'Q01' }))).toEqual([{ currency: 'Q01', updated_at: 2 ** 40, none: null }]);
      } finally {
        await close();
      }
    });
    return;
  }

  describe('named statements on the transaction\'s client (one pooled connection)', () => {
    let handle: DbHandle;
    let close: () => Promise<void>;
    /** Describe messages sent on the pool's one connection (BEGIN and COMMIT send none: simple queries). */
    let described = 0;
    beforeAll(async () => {
      ({ handle, close } = await openMigratedDatabase(backend, { poolSize: 1 }));
      await handle.db.insertInto('fx_rates').values([
        { currency: 'Q01', rate: '0.25', updated_at: 2 ** 40 }, { currency: 'Q02', rate: '1.5', updated_at: 7 },
      ]).execute();
      const client = await handle.pool!.connect();
      const connection = (client as unknown as { connection: { describe(m: unknown): void } }).connection;
      const describe = connection.describe.bind(connection);
      connection.describe = (m) => { described++; describe(m); };
      client.release();
    });
    afterAll(() => close());

    it('answers as kysely does outside a transaction: types (BIGINT as a number), nulls, several rows, none', async () => {
      const outside = await ratesFrom.execute(handle.db, { from: 'Q01' });
      const inside = await inTransaction(handle, (trx) => ratesFrom.execute(trx, { from: 'Q01' }));
      expect(inside).toEqual(outside);
      expect(inside).toEqual([{ currency: 'Q01', updated_at: 2 ** 40, none: null }, { currency: 'Q02', updated_at: 7, none: null }]);
      expect(await inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q99' }))).toBeUndefined();
      expect(await inTransaction(handle, (trx) => addRate.execute(trx, { currency: 'Q03', rate: '2', updated_at: 3 }))).toEqual([]);
      expect(await rateOf.first(handle.db, { currency: 'Q03' })).toEqual({ currency: 'Q03', rate: '2', updated_at: 3 });
    });

    it('asks for the row description on the first run of a statement on the connection only', async () => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = described;
        expect(await inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q02' }))).toEqual({ currency: 'Q02', rate: '1.5', updated_at: 7 });
        runs.push(described - before);
      }
      expect(runs.slice(1)).toEqual([0, 0]);
    });

    it('a first run that fails before the row description arrives leaves no shape behind: the next run has its rows', async () => {
      // Its own statement, so that this is its first run on the connection; the value fails at Bind.
      const updatedAtOf = prepared<{ updatedAt: unknown }, { currency: string; updated_at: number }>((db) =>
        db.selectFrom('fx_rates').select(['currency', 'updated_at']).where('updated_at', '=', param('updatedAt')));
      await expect(inTransaction(handle, (trx) => updatedAtOf.execute(trx, { updatedAt: 'not a number' })))
        .rejects.toMatchObject({ code: '22P02' });
      expect(await inTransaction(handle, (trx) => updatedAtOf.execute(trx, { updatedAt: 7 }))).toEqual([{ currency: 'Q02', updated_at: 7 }]);
    });

    it('a failing run rejects with pg\'s error and code; the statement and the connection go on', async () => {
      await expect(inTransaction(handle, (trx) => addRate.execute(trx, { currency: 'Q01', rate: '9', updated_at: 1 })))
        .rejects.toMatchObject({ code: '23505' });
      await expect(inTransaction(handle, async (trx) => {
        await sql`savepoint s`.execute(trx);
        await expect(addRate.execute(trx, { currency: 'Q02', rate: '9', updated_at: 1 })).rejects.toMatchObject({ code: '23505' });
        await sql`rollback to savepoint s`.execute(trx);
        await addRate.execute(trx, { currency: 'Q04', rate: '4', updated_at: 4 });
        return rateOf.first(trx, { currency: 'Q04' });
      })).resolves.toEqual({ currency: 'Q04', rate: '4', updated_at: 4 });
    });

    it('BEGIN travels with the first statement and opens the transaction: a write there is undone with the rest', async () => {
      await inTransaction(handle, (trx) => addRate.execute(trx, { currency: 'Q10', rate: '1', updated_at: 1 })); // parsed on the connection
      const sent: string[] = [];
      const client = await handle.pool!.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        const q = args[0] as string | { text: string; before?: Array<{ text: string }> };
        sent.push(typeof q === 'string' ? q : [...(q.before ?? []).map((b) => b.text), q.text].join('; '));
        return query(...args);
      }) as typeof client.query;
      client.release();
      const undo = new Error('undo');
      try {
        await expect(inTransaction(handle, async (trx) => {
          await addRate.execute(trx, { currency: 'Q11', rate: '1', updated_at: 1 });
          await addRate.execute(trx, { currency: 'Q12', rate: '1', updated_at: 1 });
          throw undo;
        })).rejects.toBe(undo);
      } finally {
        client.query = query as typeof client.query;
      }
      expect(sent).toEqual([`begin; ${addRate.sql('postgres')}`, addRate.sql('postgres'), 'rollback']);
      expect(await rateOf.first(handle.db, { currency: 'Q11' })).toBeUndefined();
      expect(await rateOf.first(handle.db, { currency: 'Q12' })).toBeUndefined();
      // A first statement that fails takes its transaction with it; the connection is ready for the next.
      await expect(inTransaction(handle, async (trx) => {
        await addRate.execute(trx, { currency: 'Q10', rate: '1', updated_at: 1 });
      })).rejects.toMatchObject({ code: '23505' });
      await inTransaction(handle, (trx) => addRate.execute(trx, { currency: 'Q13', rate: '1', updated_at: 1 }));
      expect(await rateOf.first(handle.db, { currency: 'Q13' })).toMatchObject({ currency: 'Q13' });
    });

    it('BEGIN goes alone before a statement that is not a prepared one; a transaction with no statement sends nothing', async () => {
      const sent: string[] = [];
      const client = await handle.pool!.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => { const q = args[0] as string | { text: string }; sent.push(typeof q === 'string' ? q : q.text); return query(...args); }) as typeof client.query;
      client.release();
      try {
        await inTransaction(handle, async () => undefined);
        expect(sent).toEqual([]);
        const undo = new Error('undo');
        await expect(inTransaction(handle, async (trx) => {
          await sql`insert into fx_rates (currency, rate, updated_at) values ('Q14', '1', 1)`.execute(trx);
          throw undo;
        })).rejects.toBe(undo);
        expect(sent.slice(0, 2)).toEqual(['begin', `insert into fx_rates (currency, rate, updated_at) values ('Q14', '1', 1)`]);
        expect(await rateOf.first(handle.db, { currency: 'Q14' })).toBeUndefined();
      } finally {
        client.query = query as typeof client.query;
      }
    });

    it('a column\'s type changed under a kept statement fails it (as pg\'s own named statements do), then it is described again', async () => {
      await inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q01' }));
      await sql`alter table fx_rates alter column updated_at type text`.execute(handle.db);
      try {
        await expect(inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q01' }))).rejects.toMatchObject({ code: '0A000' });
      } finally {
        await sql`alter table fx_rates alter column updated_at type bigint using updated_at::bigint`.execute(handle.db);
      }
      expect(await inTransaction(handle, (trx) => rateOf.first(trx, { currency: 'Q01' }))).toEqual({ currency: 'Q01', rate: '0.25', updated_at: 2 ** 40 });
    });
  });

  describe('deferred writes (a group-commit batch): each goes ahead of the next statement or of COMMIT, one round trip', () => {
    let handle: DbHandle;
    let close: () => Promise<void>;
    /** One entry per round trip on the pool's one connection: what travelled together, joined by "; ". */
    const sent: string[] = [];
    beforeAll(async () => {
      ({ handle, close } = await openMigratedDatabase(backend, { poolSize: 1 }));
      await handle.db.insertInto('fx_rates').values({ currency: 'D00', rate: '1', updated_at: 0 }).execute();
      // Parsed on the connection: only such a statement waits.
      await inTransaction(handle, async (trx) => { await addRate.execute(trx, { currency: 'D01', rate: '1', updated_at: 1 }); await rateOf.first(trx, { currency: 'D01' }); });
      const client = await handle.pool!.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        const q = args[0] as string | { text: string | null; before?: Array<{ text: string }> };
        sent.push(typeof q === 'string' ? q : [...(q.before ?? []).map((b) => b.text), ...(q.text === null ? [] : [q.text])].join('; '));
        return query(...args);
      }) as typeof client.query;
      client.release();
    });
    afterAll(() => close());
    const deferring = <T>(work: (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<T>) => {
      sent.length = 0;
      return inTransaction(handle, async (trx) => { await rateOf.first(trx, { currency: 'D00' }); expect(await deferWrites(trx)).toBe(true); return work(trx); });
    };
    const add = addRate.sql('postgres');
    const read = rateOf.sql('postgres');

    it('writes wait for the next statement, which sees them; the last ones go with COMMIT', async () => {
      const seen = await deferring(async (trx) => {
        await addRate.executeDeferrable(trx, { currency: 'D10', rate: '1', updated_at: 1 });
        await addRate.executeDeferrable(trx, { currency: 'D11', rate: '1', updated_at: 1 });
        const row = await rateOf.first(trx, { currency: 'D11' });
        await addRate.executeDeferrable(trx, { currency: 'D12', rate: '1', updated_at: 1 });
        return row;
      });
      expect(seen).toMatchObject({ currency: 'D11' });
      expect(sent).toEqual([`begin; ${read}`, `${add}; ${add}; ${read}`, `${add}; commit`]);
      expect(await rateOf.first(handle.db, { currency: 'D12' })).toMatchObject({ currency: 'D12' });
    });

    it('a deferred write that fails fails the statement it travels with, and the transaction: nothing of it commits', async () => {
      await expect(deferring(async (trx) => {
        await addRate.executeDeferrable(trx, { currency: 'D20', rate: '1', updated_at: 1 });
        await addRate.executeDeferrable(trx, { currency: 'D00', rate: '1', updated_at: 1 }); // taken
        await rateOf.first(trx, { currency: 'D20' });
      })).rejects.toMatchObject({ code: '23505' });
      expect(await rateOf.first(handle.db, { currency: 'D20' })).toBeUndefined();
    });

    it('a deferred write that fails with COMMIT fails the commit: nothing commits, and the connection goes on', async () => {
      await expect(deferring(async (trx) => {
        await addRate.executeDeferrable(trx, { currency: 'D30', rate: '1', updated_at: 1 });
        await addRate.executeDeferrable(trx, { currency: 'D00', rate: '1', updated_at: 1 });
      })).rejects.toMatchObject({ code: '23505' });
      expect(sent).toEqual([`begin; ${read}`, `${add}; ${add}; commit`, 'rollback']);
      expect(await rateOf.first(handle.db, { currency: 'D30' })).toBeUndefined();
      await deferring((trx) => addRate.executeDeferrable(trx, { currency: 'D31', rate: '1', updated_at: 1 }));
      expect(await rateOf.first(handle.db, { currency: 'D31' })).toMatchObject({ currency: 'D31' });
    });

    it('a rollback drops what waits: it is never sent', async () => {
      const undo = new Error('undo');
      await expect(deferring(async (trx) => {
        await addRate.executeDeferrable(trx, { currency: 'D40', rate: '1', updated_at: 1 });
        throw undo;
      })).rejects.toBe(undo);
      expect(sent).toEqual([`begin; ${read}`, 'rollback']);
      expect(await rateOf.first(handle.db, { currency: 'D40' })).toBeUndefined();
    });

    it('a statement not yet parsed on the connection, or through kysely, does not wait; what waits goes ahead of the latter', async () => {
      const fresh = prepared<{ currency: string }, never>((db) => db.deleteFrom('fx_rates').where('currency', '=', param('currency')));
      await deferring(async (trx) => {
        await fresh.executeDeferrable(trx, { currency: 'D31' });
        await addRate.executeDeferrable(trx, { currency: 'D50', rate: '1', updated_at: 1 });
        await sql`select 1`.execute(trx);
      });
      expect(sent).toEqual([`begin; ${read}`, fresh.sql('postgres'), add, 'select 1', 'commit']);
      expect(await rateOf.first(handle.db, { currency: 'D31' })).toBeUndefined();
      expect(await rateOf.first(handle.db, { currency: 'D50' })).toMatchObject({ currency: 'D50' });
    });

    it('what waits goes on its own ahead of a statement\'s first Parse, which nothing may precede; that statement sees it', async () => {
      const firstRead = prepared<{ currency: string }, { currency: string }>((db) => db.selectFrom('fx_rates').select('currency').where('currency', '=', param('currency')).where('rate', '=', '1'));
      const seen = await deferring(async (trx) => {
        await addRate.executeDeferrable(trx, { currency: 'D55', rate: '1', updated_at: 1 });
        return firstRead.first(trx, { currency: 'D55' });
      });
      expect(seen).toEqual({ currency: 'D55' });
      expect(sent).toEqual([`begin; ${read}`, add, firstRead.sql('postgres'), 'commit']);
    });

    it('without deferWrites a transaction sends each write when it runs', async () => {
      sent.length = 0;
      await inTransaction(handle, async (trx) => {
        await rateOf.first(trx, { currency: 'D00' });
        await addRate.executeDeferrable(trx, { currency: 'D60', rate: '1', updated_at: 1 });
      });
      expect(sent).toEqual([`begin; ${read}`, add, 'commit']);
    });

    it('COMMIT answered ROLLBACK (the transaction had failed, its error swallowed) is an error, not a commit', async () => {
      await expect(inTransaction(handle, async (trx) => {
        await addRate.execute(trx, { currency: 'D70', rate: '1', updated_at: 1 });
        await sql`select 1 / 0`.execute(trx).catch(() => undefined);
      })).rejects.toThrow('COMMIT was answered ROLLBACK: the transaction did not commit');
      expect(await rateOf.first(handle.db, { currency: 'D70' })).toBeUndefined();
    });
  });

  describe('index scans only (a network verb\'s transaction)', () => {
    let handle: DbHandle;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ handle, close } = await openMigratedDatabase(backend, { poolSize: 1 }));
      // Statistics of an empty table: what a new database's first plans are made with.
      await sql`analyze audit_log`.execute(handle.db);
    });
    afterAll(() => close());
    // The audit chain's head, as an authorization's write reads it, on a table still empty.
    const headPlan = async (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select seq, hash from audit_log where stream = ${'account:x'} order by seq desc limit 1`.execute(trx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };

    it('a table planned while nearly empty is read through its index, not scanned; other transactions plan as before', async () => {
      expect(await inTransaction(handle, headPlan)).toMatch(/Seq Scan on audit_log/);
      const indexed = await inTransaction(handle, async (trx) => { await indexScansOnly(trx); return headPlan(trx); });
      expect(indexed).not.toMatch(/Seq Scan/);
      expect(indexed).toMatch(/Index Scan Backward using audit_log_stream_seq_key on audit_log/);
      // SET LOCAL: gone with its transaction, even though the pool has one connection.
      expect(await inTransaction(handle, headPlan)).toMatch(/Seq Scan on audit_log/);
    });

    it('after a statement has run, the setting is sent on its own and holds from there', async () => {
      const plan = await inTransaction(handle, async (trx) => {
        await rateOf.first(trx, { currency: 'Q01' });
        await indexScansOnly(trx);
        return headPlan(trx);
      });
      expect(plan).not.toMatch(/Seq Scan/);
    });
  });

  describe('PG_NAMED_STATEMENTS=0', () => {
    it('a transaction runs the same query unnamed, through kysely', async () => {
      const { handle, close } = await freshDatabase(backend, { poolSize: 1, pgNamedStatements: false });
      try {
        const echo = prepared<{ x: string }, { x: string }>((db) => db.selectNoFrom((eb) => eb.val(param<string>('x')).as('x')));
        expect(await inTransaction(handle, (trx) => echo.first(trx, { x: 'c' }))).toEqual({ x: 'c' });
        expect((await sql`select name from pg_prepared_statements`.execute(handle.db)).rows).toEqual([]);
      } finally {
        await close();
      }
    });
  });
});
