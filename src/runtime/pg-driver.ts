// kysely's PostgreSQL driver with three differences, for the direct path of prepared statements
// (pg-direct.ts): its connections show their pg client; a transaction's BEGIN waits for the
// transaction's first statement, which takes it along in the same write (pg-direct.ts) or, run
// through kysely, sends it on its own first; and the writes a transaction deferred go out ahead of
// its next statement or in the same write as its COMMIT (pg-direct.ts), and are dropped by its
// rollback. A transaction that ran no statement sends neither BEGIN nor COMMIT. A transaction with
// an isolation level or access mode begins at once, as in kysely. A COMMIT answered ROLLBACK (the
// transaction had failed) is an error: nobody is told a write committed that did not.
import { PostgresDriver, type CompiledQuery, type DatabaseConnection, type QueryResult, type TransactionSettings } from 'kysely';
import type pg from 'pg';
import { commitAndBegin, flushDeferred, notCommitted, type DeferredRun, type NextBegin, type Prefetched } from './pg-direct.js';

/** A kysely connection that shows its pg client (to the direct path: prepared.ts, pgConnectionOf). */
export class PgConnection implements DatabaseConnection {
  /** The transaction has begun, but BEGIN waits for its first statement. */
  beginPending = false;
  /** The transaction defers its writes (pg-direct.ts): set by the group commit, cleared at its end. */
  deferring = false;
  /** Writes run but not yet sent, in the order they were run. */
  readonly deferred: DeferredRun[] = [];
  /** SET LOCAL statements that go with the transaction's BEGIN (pg-direct.ts: indexScansOnly), cleared at its end. */
  settings: readonly string[] = [];
  /** The next transaction's BEGIN and first statement go with this one's COMMIT (pg-direct.ts: commitAndBegin). */
  nextBegin: NextBegin | undefined;
  /** The next transaction on this connection has begun, with these settings (commitAndBegin). */
  begunAhead: readonly string[] | undefined;
  /** …and failed after its BEGIN: it starts with a ROLLBACK. */
  rollbackBeforeBegin = false;
  /** What the first statement of the transaction begun ahead returned (pg-direct.ts: runNamed takes it). */
  prefetched: Prefetched | undefined;

  constructor(readonly client: pg.PoolClient) {}

  /** `name` stands for `text` on this connection, already parsed. */
  parses(name: string, text: string): boolean {
    return (this.client as unknown as { connection: { parsedStatements: Record<string, string | undefined> } }).connection.parsedStatements[name] === text;
  }

  /** Sends the BEGIN that waited, on its own. */
  async sendBegin(): Promise<void> {
    this.beginPending = false;
    // One simple query, one round trip, for BEGIN and its settings.
    await this.client.query(['begin', ...this.settings].join('; '));
  }

  // As kysely's own PostgreSQL connection does, after the BEGIN that waited.
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.beginPending) await this.sendBegin();
    if (this.deferred.length) await flushDeferred(this, null);
    const { command, rowCount, rows } = await this.client.query(query.sql, [...query.parameters]);
    const changes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return { numAffectedRows: changes ? BigInt(rowCount ?? 0) : undefined, rows: rows ?? [] };
  }

  /** COMMIT, with the deferred writes ahead of it in one round trip. */
  async commit(): Promise<void> {
    this.deferring = false;
    this.settings = [];
    this.prefetched = undefined;
    const next = this.nextBegin;
    this.nextBegin = undefined;
    if (next) return commitAndBegin(this, next);
    if (this.deferred.length) return flushDeferred(this, 'commit');
    const { command } = await this.client.query('commit');
    if (command !== 'COMMIT') throw notCommitted(command);
  }

  /** The transaction ends without committing: what it deferred is never sent. */
  dropDeferred(): void {
    this.deferring = false;
    this.settings = [];
    this.deferred.length = 0;
    this.nextBegin = undefined;
    this.prefetched = undefined;
  }

  /**
   * Takes up the transaction begun ahead with the previous COMMIT, if any: true when it is open and
   * well, false when there is none (or it failed, and has been rolled back).
   */
  async takeBegunAhead(): Promise<boolean> {
    const settings = this.begunAhead;
    if (!settings) return false;
    this.begunAhead = undefined;
    if (this.rollbackBeforeBegin) {
      this.rollbackBeforeBegin = false;
      await this.client.query('rollback');
      return false;
    }
    this.settings = settings;
    return true;
  }

  // eslint-disable-next-line require-yield -- nothing here streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on this connection');
  }
}

/** kysely's PostgreSQL driver, with PgConnections whose BEGIN waits for their first statement. */
export class PgDriver extends PostgresDriver {
  private readonly connections = new WeakMap<pg.PoolClient, PgConnection>();
  private destroyed = false;

  constructor(private readonly pool: pg.Pool) {
    super({ pool });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    if (this.destroyed) {
      client.release();
      throw new Error('driver has already been destroyed');
    }
    let connection = this.connections.get(client);
    if (!connection) this.connections.set(client, (connection = new PgConnection(client)));
    return connection;
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PgConnection;
    if (settings.isolationLevel || settings.accessMode) {
      if (await c.takeBegunAhead()) await c.client.query('rollback');
      c.prefetched = undefined;
      return super.beginTransaction(connection, settings);
    }
    if (await c.takeBegunAhead()) return;
    c.beginPending = true;
  }

  /** Nothing to commit or roll back where nothing began. */
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PgConnection;
    if (c.beginPending) { c.beginPending = false; c.dropDeferred(); } else await c.commit();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PgConnection;
    c.dropDeferred();
    if (c.beginPending) c.beginPending = false;
    else await super.rollbackTransaction(connection);
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PgConnection;
    // A transaction begun ahead that no batch took up is not left open on a pooled connection.
    try {
      if (await c.takeBegunAhead()) await c.client.query('rollback');
    } catch {
      // The connection is gone: pg's pool drops it on release.
    }
    c.dropDeferred();
    c.client.release();
  }

  override async destroy(): Promise<void> {
    this.destroyed = true;
    await super.destroy();
  }
}
