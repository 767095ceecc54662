// Group commit on PostgreSQL (runtime/pg-group-commit.ts): units that arrive together share one
// transaction and one commit; batches of several lanes are in flight at once; a failing unit is
// rolled back alone; a deadlock runs the batch again instead of failing it; a unique violation
// against a twin committed elsewhere replays; a lost connection fails the batch with the error
// one request alone would have met. Checked from other pooled connections, which see only what has
// been committed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/db-unavailable.js';
import type { DbHandle, Trx } from '../../src/store/db.js';
import { PgGroupCommit, pgGroupCommitFor, type PgBatchStats } from '../../src/runtime/pg-group-commit.js';
import { param, prepared } from '../../src/runtime/prepared.js';
import { openMigratedDatabase } from '../support/databases.js';
import { Harness } from '../support/harness.js';

const onPostgres = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!onPostgres)('PostgreSQL group commit', () => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openMigratedDatabase('postgres', { poolSize: 8 }));
  });
  afterAll(() => close());

  const committed = async (currency: string) =>
    (await handle.db.selectFrom('fx_rates').select('currency').where('currency', '=', currency).execute()).length === 1;
  const insertRate = (currency: string) => (trx: Trx) =>
    trx.insertInto('fx_rates').values({ currency, rate: '1', updated_at: 0 }).execute().then(() => currency);
  /** Found, or inserted: what an authorization does with its idempotency key. */
  const findOrInsert = (currency: string, afterInsert?: () => Promise<void>) => async (trx: Trx) => {
    const found = await trx.selectFrom('fx_rates').select('currency').where('currency', '=', currency).executeTakeFirst();
    if (found) return 'found';
    await insertRate(currency)(trx);
    await afterInsert?.();
    return 'inserted';
  };
  const observed = (gc: PgGroupCommit) => {
    const batches: PgBatchStats[] = [];
    gc.observe((s) => batches.push(s));
    return batches;
  };
  /** Two keys that land in different lanes of a two-lane group commit. */
  const keysOnTwoLanes = (gc: PgGroupCommit): [string, string] => {
    const first = 'key-0';
    for (let i = 1; ; i++) if (gc.laneOf(`key-${i}`) !== gc.laneOf(first)) return [first, `key-${i}`];
  };
  const signal = () => {
    let fire!: () => void;
    const fired = new Promise<void>((resolve) => { fire = resolve; });
    return { fire, fired };
  };

  it('units that arrive together share one commit, and each is answered once it is visible to others', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    const batches = observed(gc);
    const names = Array.from({ length: 30 }, (_, i) => `B${String(i).padStart(2, '0')}`);
    const seen = await Promise.all(names.map((c) => gc.run(insertRate(c)).then(committed)));
    expect(seen).toEqual(names.map(() => true));
    expect(batches.length).toBeLessThan(names.length);
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(30);
    expect(batches.every((b) => !b.rerun && b.failed === 0 && b.retries === 0)).toBe(true);
  });

  it('bounds a batch to maxBatch units', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1, maxBatch: 4 });
    const batches = observed(gc);
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.run(insertRate(`M${i}`))));
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
  });

  it('runs batches of two lanes at the same time, one connection each', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 2 });
    const batches = observed(gc);
    const [a, b] = keysOnTwoLanes(gc);
    const aStarted = signal();
    const bStarted = signal();
    // Each unit waits, inside its transaction, until the other lane's unit has begun: only two
    // transactions open at once let both finish.
    const results = await Promise.all([
      gc.run(async (trx) => { aStarted.fire(); await bStarted.fired; return insertRate('L1')(trx); }, a),
      gc.run(async (trx) => { bStarted.fire(); await aStarted.fired; return insertRate('L2')(trx); }, b),
    ]);
    expect(results).toEqual(['L1', 'L2']);
    expect(new Set(batches.map((s) => s.lane)).size).toBe(2);
  });

  it('one failing unit sinks only itself: the batch runs again with a savepoint per unit', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    const batches = observed(gc);
    const runs: Record<string, number> = {};
    const counted = (c: string) => async (trx: Trx) => { runs[c] = (runs[c] ?? 0) + 1; return insertRate(c)(trx); };
    const results = await Promise.allSettled([
      gc.run(counted('F01')),
      // A SQL error: on PostgreSQL it aborts the whole transaction.
      gc.run(async (trx) => { await counted('F02')(trx); await sql`select 1 / 0`.execute(trx); }),
      gc.run(async (trx) => { await counted('F03')(trx); throw new Error('boom'); }),
      gc.run(counted('F04')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe('22012');
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('boom');
    expect(batches).toEqual([expect.objectContaining({ size: 4, failed: 2, rerun: true, retries: 0 })]);
    expect(runs).toEqual({ F01: 2, F02: 2, F03: 1, F04: 1 });
    expect([await committed('F01'), await committed('F02'), await committed('F03'), await committed('F04')]).toEqual([true, false, false, true]);
  });

  it('a deadlock between two lanes runs the victim batch again; nobody is answered an error', async () => {
    await handle.db.insertInto('fx_rates').values([{ currency: 'DA', rate: '1', updated_at: 0 }, { currency: 'DB', rate: '1', updated_at: 0 }]).execute();
    const gc = new PgGroupCommit(handle, { lanes: 2 });
    const batches = observed(gc);
    const [a, b] = keysOnTwoLanes(gc);
    const lock = (trx: Trx, currency: string) => sql`select 1 from fx_rates where currency = ${currency} for update`.execute(trx);
    const aHolds = signal();
    const bHolds = signal();
    const crossing = (first: string, second: string, mine: ReturnType<typeof signal>, theirs: ReturnType<typeof signal>) => async (trx: Trx) => {
      await lock(trx, first);
      mine.fire();
      await theirs.fired;
      await lock(trx, second);
      await trx.updateTable('fx_rates').set({ updated_at: sql`updated_at + 1` }).where('currency', 'in', ['DA', 'DB']).execute();
      return first;
    };
    const results = await Promise.all([
      gc.run(crossing('DA', 'DB', aHolds, bHolds), a),
      gc.run(crossing('DB', 'DA', bHolds, aHolds), b),
      gc.run(insertRate('DN'), a), // a neighbour in the first batch: committed with it, once
    ]);
    expect(results).toEqual(['DA', 'DB', 'DN']);
    expect(batches.reduce((n, s) => n + s.retries, 0)).toBe(1);
    expect(batches.every((s) => s.failed === 0 && !s.alone)).toBe(true);
    const rows = await handle.db.selectFrom('fx_rates').select(['currency', 'updated_at']).where('currency', 'in', ['DA', 'DB']).orderBy('currency').execute();
    expect(rows).toEqual([{ currency: 'DA', updated_at: 2 }, { currency: 'DB', updated_at: 2 }]);
  }, 20_000);

  it('a unit meeting the unique key of a twin committed by another batch replays it, and its neighbours commit', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 2 });
    const batches = observed(gc);
    const [a, b] = keysOnTwoLanes(gc);
    const inserted = signal();
    const results = await Promise.all([
      // The twin: inserts the key and holds its transaction open a moment.
      gc.run(findOrInsert('U1', async () => { inserted.fire(); await new Promise((r) => setTimeout(r, 50)); }), a),
      // Looks before the twin commits (finds nothing), inserts, waits for the twin, meets its key.
      gc.run(async (trx) => { await inserted.fired; return findOrInsert('U1')(trx); }, b),
      gc.run(insertRate('U2'), b),
    ]);
    expect(results).toEqual(['inserted', 'found', 'U2']);
    const second = batches.find((s) => s.size === 2)!;
    expect(second).toMatchObject({ failed: 0, rerun: true });
    expect(await committed('U2')).toBe(true);
  });

  it('a deferred write that fails with the batch\'s COMMIT sinks only its unit: the batch runs again with savepoints', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    await handle.db.insertInto('fx_rates').values({ currency: 'W0', rate: '1', updated_at: 0 }).execute();
    const addRate = prepared<{ currency: string }, never>((db) => db.insertInto('fx_rates').values({ currency: param('currency'), rate: '1', updated_at: 0 }));
    // Parsed on the lane's connection first: only then does a write wait for COMMIT.
    await gc.run((trx) => addRate.execute(trx, { currency: 'W1' }));
    const batches = observed(gc);
    const deferredAdd = (currency: string) => async (trx: Trx) => { await addRate.executeDeferrable(trx, { currency }); return currency; };
    const results = await Promise.allSettled([gc.run(deferredAdd('W2')), gc.run(deferredAdd('W0')), gc.run(deferredAdd('W3'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe('23505');
    expect(batches).toEqual([expect.objectContaining({ size: 3, failed: 1, rerun: true })]);
    expect([await committed('W2'), await committed('W3')]).toEqual([true, true]);
  });

  describe('the next batch begun with a COMMIT', () => {
    const probe = prepared<{ x: number }, { one: number }>((db) => db.selectNoFrom(sql<number>`1 / ${param('x')}::int`.as('one')));
    /** Two batches on one lane, the second queued while the first runs. */
    const twoBatches = async (gc: PgGroupCommit, names: [string[], string[]]) => {
      const run = (c: string) => gc.run(insertRate(c), 'one-lane', c);
      const first = names[0].map(run);
      await new Promise((resolve) => setImmediate(resolve));
      return Promise.allSettled([...first, ...names[1].map(run)]);
    };

    it('reads ahead for the next batch with this one\'s COMMIT; both batches commit', async () => {
      const reads: string[] = [];
      const gc = new PgGroupCommit(handle, { lanes: 1, readAhead: {
        read: async (trx, hints) => { reads.push(`read ${hints.join(',')}`); expect(await probe.first(trx, { x: hints.length })).toEqual({ one: hints.length === 1 ? 1 : 0 }); },
        spoil: () => undefined,
        readNext: (trx, hints) => { reads.push(`next ${hints.join(',')}`); return probe.beginNextWith(trx, { x: hints.length }); },
      } });
      await gc.run((trx) => probe.first(trx, { x: 1 })); // parsed on the lane's connection
      const batches = observed(gc);
      const results = await twoBatches(gc, [['N1', 'N2'], ['N3', 'N4']]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(reads).toEqual(['read N1,N2', 'next N3,N4', 'read N3,N4']);
      expect(batches.map((b) => b.size)).toEqual([2, 2]);
      expect(await Promise.all(['N1', 'N2', 'N3', 'N4'].map(committed))).toEqual([true, true, true, true]);
    });

    it('the next batch\'s read failing after COMMIT: the first batch committed, the next one begins again on its own and commits', async () => {
      const gc = new PgGroupCommit(handle, { lanes: 1, readAhead: {
        read: async (trx, hints) => { await probe.first(trx, { x: hints.length }); },
        spoil: () => undefined,
        // Division by zero: fails in the next transaction, after this one's COMMIT.
        readNext: (trx) => probe.beginNextWith(trx, { x: 0 }),
      } });
      await gc.run((trx) => probe.first(trx, { x: 1 }));
      const batches = observed(gc);
      const results = await twoBatches(gc, [['E1', 'E2'], ['E3', 'E4']]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(batches).toEqual([expect.objectContaining({ size: 2, failed: 0, rerun: false }), expect.objectContaining({ size: 2, failed: 0, rerun: false })]);
      expect(await Promise.all(['E1', 'E2', 'E3', 'E4'].map(committed))).toEqual([true, true, true, true]);
    });

    it('the first batch\'s COMMIT failing: nothing of it commits, its units run again with savepoints, the next batch runs after it', async () => {
      await handle.db.insertInto('fx_rates').values({ currency: 'F9', rate: '1', updated_at: 0 }).execute();
      const addRate = prepared<{ currency: string }, never>((db) => db.insertInto('fx_rates').values({ currency: param('currency'), rate: '1', updated_at: 0 }));
      const gc = new PgGroupCommit(handle, { lanes: 1, readAhead: {
        read: async (trx, hints) => { await probe.first(trx, { x: hints.length }); },
        spoil: () => undefined,
        readNext: (trx, hints) => probe.beginNextWith(trx, { x: hints.length }),
      } });
      await gc.run(async (trx) => { await probe.first(trx, { x: 1 }); await addRate.execute(trx, { currency: 'F0' }); });
      const deferredAdd = (c: string) => async (trx: Trx) => { await addRate.executeDeferrable(trx, { currency: c }); return c; };
      const first = [gc.run(deferredAdd('F1'), 'one-lane', 'F1'), gc.run(deferredAdd('F9'), 'one-lane', 'F9')];
      await new Promise((resolve) => setImmediate(resolve));
      const second = [gc.run(deferredAdd('F3'), 'one-lane', 'F3'), gc.run(deferredAdd('F4'), 'one-lane', 'F4')];
      const results = await Promise.allSettled([...first, ...second]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await Promise.all(['F1', 'F3', 'F4'].map(committed))).toEqual([true, true, true]);
    });

    it('a lane holds its connection only while it has work: the transaction begun ahead is never left open', async () => {
      const gc = new PgGroupCommit(handle, { lanes: 1, readAhead: {
        read: async (trx, hints) => { await probe.first(trx, { x: hints.length }); },
        spoil: () => undefined,
        readNext: (trx, hints) => probe.beginNextWith(trx, { x: hints.length }),
      } });
      await twoBatches(gc, [['H1', 'H2'], ['H3', 'H4']]);
      // Every pooled connection: a statement there starts its own transaction (none was left open).
      const pool = handle.pool!;
      const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
      try {
        const own = await Promise.all(clients.map(async (c) => (await c.query('select now() = statement_timestamp() as own')).rows[0].own as boolean));
        expect(own).toEqual(clients.map(() => true));
      } finally {
        for (const c of clients) c.release();
      }
    });
  });

  it('twins in one batch: the second sees the first one\'s write (one transaction) and replays it', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    expect(await Promise.all([gc.run(findOrInsert('T1')), gc.run(findOrInsert('T1'))])).toEqual(['inserted', 'found']);
  });

  it('a lost connection fails every unit of its batch with the error one request alone would meet, and the next batch runs', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    const results = await Promise.allSettled([
      gc.run(insertRate('C1')),
      gc.run(async (trx) => { await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx); }),
      gc.run(insertRate('C2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect(isDatabaseUnavailable((r as PromiseRejectedResult).reason)).toBe(true);
    expect(await committed('C1')).toBe(false);
    expect(await gc.run(insertRate('C3'))).toBe('C3');
  });

  it('the database gone: units queued behind the failed batch are answered the same at once, untried', async () => {
    const gc = new PgGroupCommit(handle, { lanes: 1 });
    const started = signal();
    const release = signal();
    const failing = gc.run(async (trx) => {
      started.fire();
      await release.fired;
      await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
    });
    await started.fired;
    let ran = 0;
    const queued = [gc.run(async () => { ran++; }), gc.run(async () => { ran++; })];
    release.fire();
    const results = await Promise.allSettled([failing, ...queued]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect(isDatabaseUnavailable((r as PromiseRejectedResult).reason)).toBe(true);
    expect(ran).toBe(0);
    expect(await gc.run(insertRate('Q1'))).toBe('Q1');
  });

  it('PG_GROUP_COMMIT=0 runs a transaction per request; on by default', async () => {
    const off = await Harness.create({ backend: 'postgres', env: { PG_GROUP_COMMIT: '0' } });
    const on = await Harness.create({ backend: 'postgres' });
    try {
      expect(pgGroupCommitFor(off.deps.handle)).toBeNull();
      expect(pgGroupCommitFor(on.deps.handle)).toBeInstanceOf(PgGroupCommit);
      const holder = await off.cardholder(100_000);
      expect((await off.authorize(holder, { amount: 1_000 })).body).toMatchObject({ responseCode: '00' });
    } finally {
      await off.close();
      await on.close();
    }
  });
});
