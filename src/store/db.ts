// Opens the database named by DATABASE_URL: embedded SQLite (default) or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Driver, type Transaction } from 'kysely';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { NamedStatementClient } from '../runtime/pg-named-statements.js';
import { PgDriver } from '../runtime/pg-driver.js';
import type { Database } from './schema.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, Checkpointer, RESTART_AT_FRAMES, walSizeLimitBytes } from '../runtime/checkpointer.js';
import { acquireDescriptor, releaseDescriptor } from '../runtime/file-descriptors.js';
import { enableDirectSqlite } from '../runtime/prepared.js';
import { WalSync, type WalFsync } from '../runtime/wal-sync.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** A query runner: the database itself or a transaction handed in by the caller. */
export type Executor = Db | Trx;

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  /** The raw better-sqlite3 handle (SQLite only): for prepared hot-path statements. */
  sqlite?: SqliteDatabase.Database;
  pool?: pg.Pool;
  /** The PostgreSQL schema this handle works in, when one was named (PG_SCHEMA, tests). */
  pgSchema?: string;
  /** File-backed SQLite at synchronous=FULL: lets group commit fsync the WAL off the main thread. */
  walSync?: WalSync;
  /** File-backed SQLite: the background checkpoints, which hold the group commit to restart the WAL. */
  checkpointer?: Checkpointer;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL schema to use (tests give each file its own). */
  pgSchema?: string;
  poolSize?: number;
  /** PostgreSQL: run prepared queries' SQL as named statements (default true; pg-named-statements.ts). */
  pgNamedStatements?: boolean;
  statementTimeoutMs?: number;
  /** PostgreSQL: how long opening a connection may take before it fails; 0 = forever. */
  connectTimeoutMs?: number;
  /** PostgreSQL: an idle pooled connection failed (the server went away); the pool has dropped it. */
  onPoolError?: (error: Error) => void;
  /** SQLite synchronous mode: FULL makes every commit durable against power loss. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** SQLite page cache ceiling in MiB (SQLITE_CACHE_MB, default 32). */
  sqliteCacheMb?: number;
  /**
   * SQLite on disk: checkpoint the WAL on a worker thread (default true); 'elsewhere' when another
   * connection of this process already does (only the backstop is set on this one).
   */
  backgroundCheckpoints?: boolean | 'elsewhere';
  /** Steps the checkpoint thread's nice value is raised above the process's (SQLITE_CHECKPOINT_NICE, default CHECKPOINTER_NICE). */
  sqliteCheckpointNice?: number;
  /** WAL pages at which the group commit is held so that the WAL restarts (SQLITE_WAL_RESTART_PAGES, default RESTART_AT_FRAMES). */
  sqliteWalRestartPages?: number;
  /** A background checkpoint failed (`failures`: how many since the last report; throttled). */
  onCheckpointError?: (message: string, failures: number) => void;
  /** SQLite at FULL: who fsyncs the WAL after a group commit (default 'thread-pool', see WalFsync). */
  walFsync?: WalFsync;
}

// pg returns BIGINT as strings; every BIGINT here is fils or epoch ms, well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// sum() over BIGINT is NUMERIC in PostgreSQL (an integer on SQLite). The schema has no NUMERIC
// column (rates are TEXT), so every NUMERIC we read is such a sum of fils: also a safe integer.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** A PostgreSQL schema name we are willing to put into search_path and DDL unquoted. */
export const PG_SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export function openDatabase(url: string, options: DbOptions = {}): DbHandle {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options);
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:")`);
}

/**
 * A read-only connection to a SQLite file, for reading beside the service's writer: plain kysely
 * (no `begin immediate`), so a transaction takes no write lock and reads one snapshot while the
 * writer goes on (the report thread, `npm run ledger:check`).
 */
export function openSqliteReader(file: string): Kysely<Database> {
  const connection = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  connection.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
}

function openSqlite(path: string, options: DbOptions): DbHandle {
  const file = path === ':memory:' ? ':memory:' : path;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous ?? 'FULL'}`);
  sqlite.pragma('busy_timeout = 5000');
  // Page cache ceiling (default 32 MiB; SQLite's own default is 2 MiB). It fills as pages are read
  // and written, so it counts in the process's memory; with a million cards give it more
  // (SQLITE_CACHE_MB=512) so that the indexes probed at random on every authorization (card
  // fingerprints, card rows, accounts) stay in memory instead of costing an OS read each.
  sqlite.pragma(`cache_size = -${(options.sqliteCacheMb ?? 32) * 1024}`);
  // Savepoint (statement) journals stay in memory: every group-commit unit opens one.
  sqlite.pragma('temp_store = MEMORY');
  const statements = cachingStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  enableDirectSqlite(db, statements);
  const synchronous = options.sqliteSynchronous ?? 'FULL';
  const onDisk = file !== ':memory:';
  const walSync = onDisk && synchronous === 'FULL' ? new WalSync(sqlite, options.walFsync) : undefined;
  // Held until the connections are closed: our other readers of the file share it (file-descriptors.ts).
  // That registry is per thread and POSIX locks are per process, so only the main thread keeps
  // descriptors of its own: the authorization worker's thread reads nothing ahead.
  const holdsDescriptor = onDisk && isMainThread;
  if (holdsDescriptor) acquireDescriptor(file);
  let closed = false;
  let checkpointer: Checkpointer | undefined;
  if (onDisk && options.backgroundCheckpoints !== false) {
    const restartAtFrames = options.sqliteWalRestartPages ?? RESTART_AT_FRAMES;
    const restarts = restartAtFrames > 0 && options.backgroundCheckpoints !== 'elsewhere';
    // Where nothing restarts the WAL (0, or the authorization worker's connection), the backstop is
    // what bounds it; where the group commit is held to restart it, the backstop sits well above that.
    sqlite.pragma(`wal_autocheckpoint = ${restarts ? restartAtFrames + BACKSTOP_AUTOCHECKPOINT_PAGES : BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    if (options.backgroundCheckpoints !== 'elsewhere') {
      checkpointer = new Checkpointer(file, synchronous, { nice: options.sqliteCheckpointNice, onError: options.onCheckpointError, restartAtFrames: restarts ? restartAtFrames : 0 });
    }
  }
  if (onDisk) {
    // After a long read transaction the first commit once the WAL starts over cuts the file back to
    // a little over its usual largest size, where this connection checkpoints by itself (SQLite's
    // 1,000 pages, the backstop, or the restart size plus the backstop). That cut is one ftruncate
    // on this thread, once per long report.
    const usualFrames = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    sqlite.pragma(`journal_size_limit = ${walSizeLimitBytes(usualFrames, sqlite.pragma('page_size', { simple: true }) as number)}`);
  }
  return {
    db, dialect: 'sqlite', sqlite, walSync, checkpointer,
    async close() {
      await checkpointer?.stop();
      walSync?.close();
      await db.destroy();
      if (holdsDescriptor && !closed) releaseDescriptor(file);
      closed = true;
    },
  };
}

/** Statements kept per connection; the hot path uses about twenty, the whole app a few hundred. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * kysely's SQLite driver calls `prepare(sql)` for every query, and preparing costs more than running
 * a small indexed query. This wrapper hands it the statement prepared the last time the same SQL
 * ran (compiled SQL is parameterized, so the set of distinct texts is small), evicting the least
 * recently used beyond STATEMENT_CACHE_SIZE.
 */
export function cachingStatements(sqlite: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      // Transactions take the write lock when they begin, not at their first write: a deferred
      // transaction that reads, then writes after another connection (the authorization worker, a
      // script) committed, fails with SQLITE_BUSY_SNAPSHOT instead of waiting its turn.
      const text = sql === 'begin' ? 'begin immediate' : sql;
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
    /** A statement of the caller's own, outside the cache: it may change its modes (raw rows). */
    prepareOwn: (sql: string) => sqlite.prepare(sql),
  };
}

function openPostgres(url: string, options: DbOptions): DbHandle {
  if (options.pgSchema && !PG_SCHEMA_PATTERN.test(options.pgSchema)) {
    throw new Error(`PostgreSQL schema name "${options.pgSchema}" must match ${PG_SCHEMA_PATTERN}`);
  }
  // The URL is read here, not by pg: given a connectionString, pg lets the URL's `options`
  // (`?options=-c …`) replace ours whole, and the statement timeout would silently go. The
  // operator's settings come first and ours after them, so that ours win where both set one.
  const fromUrl = parseIntoClientConfig(url);
  const pgOptions: string[] = [];
  if (fromUrl.options) pgOptions.push(fromUrl.options);
  if (options.pgSchema) pgOptions.push(`-c search_path=${options.pgSchema}`);
  if (options.statementTimeoutMs) pgOptions.push(`-c statement_timeout=${options.statementTimeoutMs}`);
  // A dead or failing-over server must fail a request quickly (it is answered 91 or 503): opening
  // a connection gives up after connectTimeoutMs. Waiting for a busy pool's next free connection
  // does not (pg's pool-level connectionTimeoutMillis would count that wait too): under contention
  // on one account the queue is long but moving, and each query in it is bounded by statement_timeout.
  const BaseClient = options.pgNamedStatements === false ? pg.Client : NamedStatementClient;
  const connectTimeoutMs = options.connectTimeoutMs ?? 0;
  class PooledClient extends BaseClient {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new pg.Pool({
    ...fromUrl,
    max: options.poolSize ?? 10,
    Client: PooledClient,
    options: pgOptions.length ? pgOptions.join(' ') : undefined,
    // A server that vanished without closing the socket (a partition, not a crash) is noticed.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A connection whose server died emits 'error': on the pool while it is idle, on the client
  // while it is checked out between two queries (a transaction's JavaScript running). Either,
  // without a listener, would end the process. The pool has dropped an idle one; a checked-out one
  // fails its next query ("not queryable", answered 91 / 503) and is not pooled again.
  pool.on('error', () => { /* reported by the client's own listener, below */ });
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  // kysely's dialect, with connections that show their pg client to the direct path (pg-driver.ts).
  class Dialect extends PostgresDialect {
    override createDriver(): Driver { return new PgDriver(pool); }
  }
  const db = new Kysely<Database>({ dialect: new Dialect({ pool }) });
  return {
    db, dialect: 'postgres', pool, pgSchema: options.pgSchema,
    async close() { await db.destroy(); },
  };
}
