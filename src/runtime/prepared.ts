// Queries built with kysely once, then run many times with new values: the hot path (network
// authorizations) pays neither kysely's build-and-compile per query nor, on SQLite, a prepare
// (inside a transaction each query runs on a statement of its own, kept per connection; outside
// one, kysely's driver finds the statement by SQL text, see cachingStatements in db.ts).
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
import type { Dialect, Executor } from '../store/db.js';
import { NamedStatementClient, nameStatement, statementName } from './pg-named-statements.js';
import { runNamed } from './pg-direct.js';
import { PgConnection } from './pg-driver.js';
import type { Database } from '../store/schema.js';

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

/** What better-sqlite3 offers that the direct path needs (the statement cache of db.ts). */
export interface DirectStatement {
  reader: boolean;
  all(p: readonly unknown[]): unknown[];
  get(p: readonly unknown[]): unknown;
  run(p: readonly unknown[]): unknown;
}
/** A statement of a prepared query's own: a reader returns its rows as arrays (`raw`). */
export interface OwnStatement extends DirectStatement {
  raw(toggle: boolean): OwnStatement;
  columns(): Array<{ name: string }>;
}
export interface StatementSource {
  prepare(sql: string): DirectStatement;
  prepareOwn(sql: string): OwnStatement;
}

/**
 * SQLite, inside a transaction: run the statement on the connection directly and synchronously.
 * kysely's executor would only hand the same statement to the same connection, through half a dozen
 * promises per query; with a dozen queries per authorization that overhead is most of the cost.
 * Only inside a transaction: then this code holds SQLite's single connection (kysely's mutex), so
 * nothing else can be interleaved; outside one, queries go through kysely and wait their turn.
 */
const directSqlite = new WeakMap<object, StatementSource>();

/** Called by openDatabase for SQLite: enables the direct path for transactions of `db`. */
export function enableDirectSqlite(db: Kysely<Database>, statements: StatementSource): void {
  directSqlite.set(db.getExecutor().adapter, statements);
}

/**
 * PostgreSQL, inside a transaction: the transaction's connection, whose pg client runs named
 * statements directly (pg-direct.ts); null where it cannot (statements not named: PG_NAMED_STATEMENTS=0).
 * Looked up once per transaction through kysely, which holds the connection for it.
 */
const directPg = new WeakMap<object, PgConnection | null>();

async function pgConnectionOf(trx: Executor): Promise<PgConnection | null> {
  const known = directPg.get(trx);
  if (known !== undefined) return known;
  const c = await trx.getExecutor().provideConnection(async (connection) => connection);
  const connection = c instanceof PgConnection && c.client instanceof NamedStatementClient ? c : null;
  directPg.set(trx, connection);
  return connection;
}

/**
 * The transaction `trx` (PostgreSQL, statements named) defers its writes from now to its end: see
 * executeDeferrable. False where it cannot (SQLite, where nothing travels; statements not named).
 */
export async function deferWrites(trx: Executor): Promise<boolean> {
  const connection = await pgConnectionOf(trx);
  if (connection) connection.deferring = true;
  return connection !== null;
}

const SEQ_SCANS_OFF = 'set local enable_seqscan = off';

/**
 * The transaction `trx` (PostgreSQL) plans no sequential scan where an index serves: a network
 * verb's statements are lookups by key, and a named statement keeps the plan it was first given on
 * its connection. Planned while a table was nearly empty (a new database, the first seconds of
 * traffic), that plan scans the table, and goes on scanning it as it grows, every authorization
 * reading the whole audit log, until an ANALYZE (autovacuum's, a minute or more later) replans it
 * (docs/decisions/0078-pg-index-scans-only.md). The setting travels with BEGIN: call this before
 * the transaction's first statement.
 */
export async function indexScansOnly(trx: Executor): Promise<void> {
  const connection = await pgConnectionOf(trx);
  if (connection?.beginPending) connection.settings = [SEQ_SCANS_OFF];
  // Begun ahead with the previous COMMIT (pg-direct.ts, commitAndBegin): the setting went with it.
  else if (connection?.settings.includes(SEQ_SCANS_OFF)) return;
  else if (dialectOf(trx) === 'postgres') await trx.executeQuery(CompiledQuery.raw(SEQ_SCANS_OFF));
}

/** Runs a statement directly: the rows of a reader, none for a writer. */
function runStatement(statement: DirectStatement, parameters: readonly unknown[]): unknown[] {
  if (statement.reader) return statement.all(parameters);
  statement.run(parameters);
  return [];
}

/** A fixed statement (savepoints, …) on the transaction: direct on SQLite, through kysely otherwise. */
export async function runFixed(trx: Executor, query: CompiledQuery): Promise<void> {
  const direct = trx.isTransaction ? directSqlite.get(trx.getExecutor().adapter) : undefined;
  if (direct) runStatement(direct.prepare(query.sql), query.parameters);
  else await trx.executeQuery(query);
}

/** Per parameter slot: the name of the value to take, or null for a constant compiled in. */
interface Compiled { sql: string; names: (string | null)[]; constants: unknown[] }

export class PreparedQuery<P extends object, R> {
  private readonly compiled = new Map<Dialect, Compiled>();
  private readonly statements = new WeakMap<StatementSource, DirectQuery>();

  constructor(private readonly build: (db: Kysely<Database>) => Compilable<R>) {}

  private compile(dialect: Dialect): Compiled {
    let c = this.compiled.get(dialect);
    if (!c) {
      const q = this.build(builders[dialect]).compile();
      const isParam = (v: unknown): v is string => typeof v === 'string' && v.startsWith(PARAM_PREFIX);
      c = {
        sql: q.sql,
        names: q.parameters.map((v) => (isParam(v) ? v.slice(PARAM_PREFIX.length) : null)),
        constants: q.parameters.map((v) => (isParam(v) ? undefined : v)),
      };
      this.compiled.set(dialect, c);
      if (dialect === 'postgres') nameStatement(c.sql);
    }
    return c;
  }

  /** The SQL this query runs on the dialect (for tests and EXPLAIN). */
  sql(dialect: Dialect): string { return this.compile(dialect).sql; }

  /** The statement on SQLite's connection when `db` is a transaction there (see directSqlite). */
  private directStatement(db: Executor): DirectQuery | undefined {
    if (!db.isTransaction) return undefined;
    const source = directSqlite.get(db.getExecutor().adapter);
    if (!source) return undefined;
    let direct = this.statements.get(source);
    // Kept per connection: better-sqlite3 statements are reusable as long as their database is open.
    if (!direct) this.statements.set(source, (direct = directQuery(source, this.compile('sqlite'))));
    return direct;
  }

  private parameters(c: Compiled, values: P, more?: object): unknown[] {
    // A plain loop: this runs for every statement of every authorization.
    const { names, constants } = c;
    const parameters = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name === null) { parameters[i] = constants[i]; continue; }
      let v = (values as Record<string, unknown>)[name];
      if (v === undefined && more) v = (more as Record<string, unknown>)[name];
      if (v === undefined) throw new Error(`prepared query: no value for ${name}`);
      parameters[i] = v;
    }
    return parameters;
  }

  /**
   * Runs the query with `values`; a name whose value there is undefined is taken from `more` (one
   * statement writing several rows: authorization-writes.repository.ts, whose other rows' names
   * no authorization column has), so the wide row is not copied per statement.
   */
  execute(db: Executor, values: P, more?: object): Promise<R[]> {
    return this.run(db, values, more, false);
  }

  /**
   * Runs a write whose result nobody reads. Where the transaction defers its writes (deferWrites),
   * it is sent with the transaction's next statement or its COMMIT (pg-direct.ts): its failure is
   * then that statement's, and the transaction's.
   */
  async executeDeferrable(db: Executor, values: P, more?: object): Promise<void> {
    await this.run(db, values, more, true);
  }

  /**
   * PostgreSQL, statements named: the next transaction on `db`'s connection begins with this
   * query, run with `values`, sent with `db`'s COMMIT (pg-direct.ts, commitAndBegin); running it
   * there first with the same values takes its rows without a round trip. Nothing where the
   * statement is not yet parsed on the connection, or without the direct path.
   */
  async beginNextWith(db: Executor, values: P): Promise<void> {
    if (!db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    const c = this.compile('postgres');
    const name = statementName(c.sql);
    if (name === undefined) return;
    const connection = await pgConnectionOf(db);
    if (!connection || !connection.parses(name, c.sql)) return;
    connection.nextBegin = { settings: connection.settings, name, text: c.sql, values: this.parameters(c, values) };
  }

  private async run(db: Executor, values: P, more: object | undefined, defer: boolean): Promise<R[]> {
    const direct = this.directStatement(db);
    if (direct) {
      const parameters = this.parameters(direct.compiled, values, more);
      if (!direct.columns) return runStatement(direct.statement, parameters) as R[];
      const rows = direct.statement.all(parameters) as unknown[][];
      return rows.map((row) => rowObject(direct.columns!, row) as R);
    }
    const adapter = db.getExecutor().adapter;
    const c = this.compile(adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');
    const name = db.isTransaction && adapter instanceof PostgresAdapter ? statementName(c.sql) : undefined;
    if (name !== undefined) {
      let connection = directPg.get(db);
      if (connection === undefined) connection = await pgConnectionOf(db);
      if (connection) {
        const { shape, rows } = await runNamed(connection, name, c.sql, this.parameters(c, values, more), defer);
        const objects = new Array<R>(rows.length);
        for (let i = 0; i < rows.length; i++) objects[i] = rowObject(shape.names, rows[i]) as R;
        return objects;
      }
    }
    const result = await db.executeQuery<R>(CompiledQuery.raw(c.sql, this.parameters(c, values, more)));
    return result.rows;
  }

  async first(db: Executor, values: P): Promise<R | undefined> {
    const direct = this.directStatement(db);
    if (direct?.statement.reader) {
      const row = direct.statement.get(this.parameters(direct.compiled, values));
      if (!direct.columns || row === undefined) return row as R | undefined;
      return rowObject(direct.columns, row as unknown[]) as R;
    }
    return (await this.execute(db, values))[0];
  }
}

/**
 * A prepared query's own statement on one connection. A reader naming its columns returns them as
 * arrays (`columns` set); one selecting `*` returns objects as usual (`columns` null), because
 * SQLite re-prepares a statement by itself after a schema change (a migration run while the
 * service is up), and a `*` may then list other columns, or the same in another order, than the
 * names read when it was first prepared.
 */
interface DirectQuery { statement: OwnStatement; compiled: Compiled; columns: string[] | null }

function directQuery(source: StatementSource, compiled: Compiled): DirectQuery {
  const statement = source.prepareOwn(compiled.sql);
  if (!statement.reader || compiled.sql.includes('*')) return { statement, compiled, columns: null };
  // Rows as arrays, made into objects here: better-sqlite3 builds an object row through V8's API,
  // looking up each column's name in V8's string table, every row (docs/decisions/0045-prepared-statements.md).
  return { statement: statement.raw(true), compiled, columns: statement.columns().map((c) => c.name) };
}

function rowObject(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
  return row;
}

export function prepared<P extends object, R>(build: (db: Kysely<Database>) => Compilable<R>): PreparedQuery<P, R> {
  return new PreparedQuery<P, R>(build);
}
