// Queries built with kysely once, then run many times with new values: the hot path (network
// authorizations) pays neither kysely's build-and-compile per query nor, on SQLite, a prepare
// (the driver keeps statements by SQL text, see cachingStatements in db.ts).
//
//   const byKey = prepared((db) => db.selectFrom('authorizations').selectAll()
//     .where('idempotency_key', '=', param<string>('key')));
//   const row = await byKey.first(trx, { key });
//
// `param(name)` stands for a value given at run time. The query is compiled per dialect on first
// use, with each param in its parameter slot; constants in the builder stay as they were compiled.
import {
  CompiledQuery, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable,
} from 'kysely';
import type { Dialect, Executor } from './db.js';
import type { Database } from './schema.js';

const PARAM_PREFIX = '\u0000param:';

/** A placeholder for a value supplied when the prepared query runs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a placeholder fits any column
export function param<T = any>(name: string): T {
  return `${PARAM_PREFIX}${name}` as unknown as T;
}

/** Query builders that never touch a database: they only compile, per dialect. */
const builders: Record<Dialect, Kysely<Database>> = {
  sqlite: new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
  postgres: new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
};

/**
 * The dialect an executor speaks, read from its adapter (kysely marks getExecutor internal, but it
 * is the one place that knows; the repositories' signatures stay `(db, …)` this way).
 */
export function dialectOf(db: Executor): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

type Slot = { name: string } | { value: unknown };

interface Compiled { sql: string; slots: Slot[] }

export class PreparedQuery<P extends object, R> {
  private readonly compiled = new Map<Dialect, Compiled>();

  constructor(private readonly build: (db: Kysely<Database>) => Compilable<R>) {}

  private compile(dialect: Dialect): Compiled {
    let c = this.compiled.get(dialect);
    if (!c) {
      const q = this.build(builders[dialect]).compile();
      const slots = q.parameters.map((v): Slot =>
        typeof v === 'string' && v.startsWith(PARAM_PREFIX) ? { name: v.slice(PARAM_PREFIX.length) } : { value: v });
      c = { sql: q.sql, slots };
      this.compiled.set(dialect, c);
    }
    return c;
  }

  /** The SQL this query runs on the dialect (for tests and EXPLAIN). */
  sql(dialect: Dialect): string { return this.compile(dialect).sql; }

  async execute(db: Executor, values: P): Promise<R[]> {
    const c = this.compile(dialectOf(db));
    const parameters = c.slots.map((s) => {
      if ('value' in s) return s.value;
      const v = (values as Record<string, unknown>)[s.name];
      if (v === undefined) throw new Error(`prepared query: no value for ${s.name}`);
      return v;
    });
    const result = await db.executeQuery<R>(CompiledQuery.raw(c.sql, parameters));
    return result.rows;
  }

  async first(db: Executor, values: P): Promise<R | undefined> {
    return (await this.execute(db, values))[0];
  }
}

export function prepared<P extends object, R>(build: (db: Kysely<Database>) => Compilable<R>): PreparedQuery<P, R> {
  return new PreparedQuery<P, R>(build);
}
