// PostgreSQL's counterpart of the direct SQLite path (prepared.ts): inside a transaction, a prepared
// query's named statement goes to the transaction's pg client directly, as a query object of its
// own, instead of through kysely's executor and pg's generic Query.
//
// What that saves, per statement (docs/performance.md, "PostgreSQL"):
// - kysely's connection provider, executor and result transform: half a dozen promises;
// - pg's Query and Result: a copy of the query's config, and rows built as dictionary-mode objects;
// - the Describe message and its answer. pg asks for the row description on every run and builds a
//   parser per column from it (fifty columns for an authorization's read). The columns a statement
//   returns do not change while its name stands on a connection (PostgreSQL refuses to run it
//   otherwise: "cached plan must not change result type"), so the description is asked for on the
//   statement's first successful run on a connection and kept beside that connection's statement;
// - BEGIN's round trip. A transaction's BEGIN waits for its first statement and goes out in the
//   same write, ahead of it, before one Sync: PostgreSQL runs the two in order, and BEGIN turns the
//   implicit transaction of the messages before a Sync into the transaction block that goes on
//   after it. A statement that fails then fails the transaction, as it would have after a BEGIN of
//   its own. Only a statement already parsed on the connection takes BEGIN along: pg's client
//   notes every ParseComplete as the running query's, so a failing Parse after BEGIN's would leave
//   the statement noted as parsed. A transaction with no statement sends neither BEGIN nor COMMIT
//   (pg-driver.ts).
// - Whole round trips, where the transaction defers its writes (a group-commit batch's run without
//   savepoints: pg-group-commit.ts). A write whose result nobody reads (an authorization's: its
//   rows are the values sent) is not sent when it is run: it waits on the connection for the
//   transaction's next statement, and goes out ahead of it in the same write, before the one Sync,
//   or ahead of its COMMIT (pg-driver.ts). PostgreSQL runs them in the order they were run here,
//   so every later statement sees them; a batch of N authorizations read ahead is then two round
//   trips (BEGIN with the read, the N writes with COMMIT) instead of N + 2. Whichever of them fails
//   fails the statement it travelled with (after an error PostgreSQL skips the rest until Sync,
//   COMMIT included) and aborts the transaction: the batch runs again with a savepoint per unit,
//   where nothing is deferred, as when a unit's own statement fails. Only a statement already
//   parsed on the connection waits, and only one already parsed takes what waits along: pg notes
//   a ParseComplete as the running query's. Ahead of a statement's first Parse the writes go on
//   their own, one round trip more.
//
// Outside a transaction, and for SQL that runs unnamed, kysely runs the query as before.
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { PgConnection } from './pg-driver.js';

/** pg's own mapping of a JavaScript value to a parameter's text (what its Query binds with). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

/** The pieces of pg's Connection a query object uses (pg's Query uses the same). */
interface WireConnection {
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
  stream: { cork(): void; uncork(): void };
  parse(config: { text: string; name: string; types: never[] }): void;
  bind(config: { portal: string; statement: string; values: readonly unknown[]; binary: boolean; valueMapper: (value: unknown) => unknown }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  flush(): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** A write run but not yet sent: it goes ahead of the connection's next statement (see above). */
export interface DeferredRun { name: string; text: string; values: readonly unknown[] }
/**
 * A statement sent ahead of another in the same write: a fixed one (no name: BEGIN, SET LOCAL,
 * COMMIT) or a deferred write. `flush`: the server sends its answers so far at once (commitAndBegin).
 */
type Before = { name?: undefined; text: string; flush?: boolean } | DeferredRun;

interface FieldDescription { name: string; dataTypeID: number }

/** What a statement returns on one connection: column names and a text parser per column. */
interface RowShape { names: string[]; parsers: Array<(text: string) => unknown> }

/** Shapes by statement name, per pg connection (a statement's name stands per connection). */
const shapes = new WeakMap<object, Map<string, RowShape>>();

type Done = (error: Error | null, result?: { shape: RowShape; rows: unknown[][] }) => void;

/**
 * One run of a named statement (a pg "submittable": pg's client hands it the server's messages).
 * Rows come back as arrays of parsed values, in the statement's column order.
 */
class NamedRun {
  private shape: RowShape | undefined;
  private readonly rows: unknown[][] = [];
  private failure: Error | null = null;

  /** A COMMIT among the statements before this one was answered COMMIT (commitAndBegin). */
  committed = false;

  constructor(
    readonly name: string, readonly text: string, private readonly values: readonly unknown[],
    private readonly client: pg.ClientBase, private readonly known: Map<string, RowShape>,
    /**
     * What goes ahead of the statement in the same write, in order: fixed statements (BEGIN and the
     * transaction's SET LOCALs, COMMIT) and deferred writes (see the top of this file).
     */
    readonly before: readonly Before[],
    /** Called once: pg's client wraps it when a query_timeout is set. */
    public callback: Done,
  ) {
    this.shape = known.get(name);
  }

  submit(connection: WireConnection): Error | undefined {
    const previous = connection.parsedStatements[this.name] ?? connection.submittedNamedStatements[this.name];
    if (previous !== undefined && previous !== this.text) return new Error(`the statement ${this.name} stands for other SQL on this connection`);
    if (this.before.length && previous === undefined) return new Error(`nothing can go ahead of ${this.name}: not parsed on this connection`);
    const unparsed = unparsedAhead(connection, this.before);
    if (unparsed) return unparsed;
    // One write for the whole run, as pg's Query does.
    connection.stream.cork();
    try {
      sendBefore(connection, this.before);
      if (previous === undefined) {
        connection.parse({ text: this.text, name: this.name, types: [] });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      connection.bind({ portal: '', statement: this.name, values: this.values, binary: false, valueMapper: prepareValue });
      if (!this.shape) connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
    return undefined;
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    this.shape = {
      names: message.fields.map((f) => f.name),
      parsers: message.fields.map((f) => this.client.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown),
    };
  }

  handleDataRow(message: { fields: Array<string | null> }): void {
    if (this.failure) return;
    const { fields } = message;
    const parsers = this.shape!.parsers;
    const row = new Array<unknown>(fields.length);
    try {
      for (let i = 0; i < fields.length; i++) {
        const text = fields[i];
        row[i] = text === null ? null : parsers[i](text);
      }
    } catch (error) {
      this.failure = error as Error;
      return;
    }
    this.rows.push(row);
  }

  handleCommandComplete(message: { text: string }): void { if (message.text === 'COMMIT') this.committed = true; }
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: WireConnection): void { connection.sendCopyFail('No source stream defined'); }
  handleCopyData(): void {}

  /** The server's error (pg then waits for ReadyForQuery without us), or the connection's. */
  handleError(error: Error): void {
    this.callback(this.failure ?? error);
  }

  handleReadyForQuery(): void {
    if (this.failure) return this.callback(this.failure);
    // A statement that returns no rows answers Describe with NoData: its shape is no columns.
    const shape = this.shape ?? { names: [], parsers: [] };
    this.known.set(this.name, shape);
    this.callback(null, { shape, rows: this.rows });
  }
}

/** An error if a deferred write is not parsed on the connection (it travels as Bind and Execute only). */
function unparsedAhead(connection: WireConnection, ahead: readonly Before[]): Error | undefined {
  for (const run of ahead) {
    if (run.name !== undefined && connection.parsedStatements[run.name] !== run.text) return new Error(`the deferred statement ${run.name} is not parsed on this connection`);
  }
  return undefined;
}

/** A statement without parameters, unnamed, in the extended protocol (BEGIN, SET LOCAL, COMMIT). */
function sendFixed(connection: WireConnection, text: string): void {
  connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: '', values: [], binary: false, valueMapper: prepareValue });
  connection.execute({ portal: '' });
}

function sendBefore(connection: WireConnection, before: readonly Before[]): void {
  for (const run of before) {
    if (run.name === undefined) {
      sendFixed(connection, run.text);
      if (run.flush) connection.flush();
      continue;
    }
    connection.bind({ portal: '', statement: run.name, values: run.values, binary: false, valueMapper: prepareValue });
    connection.execute({ portal: '' });
  }
}

/**
 * The deferred writes on their own, or ahead of a fixed statement (COMMIT) in the same write, with
 * one Sync. A COMMIT that PostgreSQL answers ROLLBACK (the transaction had failed) is an error: the
 * batch's callers are told nothing committed.
 */
class Flush {
  private tag: string | undefined;

  constructor(readonly before: readonly DeferredRun[], readonly text: string | null, public callback: (error: Error | null) => void) {}

  submit(connection: WireConnection): Error | undefined {
    const unparsed = unparsedAhead(connection, this.before);
    if (unparsed) return unparsed;
    connection.stream.cork();
    try {
      sendBefore(connection, this.before);
      if (this.text !== null) sendFixed(connection, this.text);
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
    return undefined;
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(message: { text: string }): void { this.tag = message.text; }
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: WireConnection): void { connection.sendCopyFail('No source stream defined'); }
  handleCopyData(): void {}
  handleError(error: Error): void { this.callback(error); }

  handleReadyForQuery(): void {
    if (this.text === 'commit' && this.tag !== 'COMMIT') return this.callback(notCommitted(this.tag));
    this.callback(null);
  }
}

/** A COMMIT answered otherwise (ROLLBACK: the transaction had failed): nobody may be told it committed. */
export function notCommitted(tag: string | undefined): Error {
  return new Error(`COMMIT was answered ${tag ?? 'nothing'}: the transaction did not commit`);
}

/** BEGIN and the transaction's SET LOCALs, as statements sent ahead of another. */
function beginWith(settings: readonly string[]): Before[] {
  return [{ text: 'begin' }, ...settings.map((setting) => ({ text: setting }))];
}

/**
 * Sends the connection's deferred writes, ahead of `text` (COMMIT) when given, in one round trip.
 * The transaction's statements all go through here or runNamed, so none overtakes them.
 */
export function flushDeferred(on: PgConnection, text: string | null): Promise<void> {
  const ahead = on.deferred.splice(0);
  return new Promise((resolve, reject) => {
    on.client.query(new Flush(ahead, text, (error) => (error ? reject(error) : resolve())) as unknown as pg.Submittable);
  });
}

const NOTHING = Object.freeze({ shape: Object.freeze({ names: [], parsers: [] }), rows: [] as unknown[][] }) as { shape: RowShape; rows: unknown[][] };

/**
 * Runs the named statement `name` (SQL `text`) on the connection's client, in its transaction:
 * its column names and its rows as arrays. With `defer`, where the transaction defers writes and
 * the statement is parsed on the connection, it waits to go ahead of the next statement (see the
 * top of this file) and returns no rows now.
 */
export async function runNamed(on: PgConnection, name: string, text: string, values: readonly unknown[], defer = false): Promise<{ shape: RowShape; rows: unknown[][] }> {
  const { client } = on;
  const wire = (client as unknown as { connection: WireConnection }).connection;
  if (defer && on.deferring && !on.beginPending && on.parses(name, text)) {
    // Mapped now, as pg would when sending: the values are what the statement was run with.
    on.deferred.push({ name, text, values: values.map(prepareValue) });
    return NOTHING;
  }
  const prefetched = on.prefetched;
  if (prefetched) {
    // Ran already, first in this transaction, sent with the previous one's COMMIT (commitAndBegin).
    on.prefetched = undefined;
    if (prefetched.name === name && sameValues(prefetched.values, values)) return prefetched.result;
  }
  let begin = false;
  if (on.beginPending) {
    // A statement stays parsed on its connection once it is: what is true here is true when it is sent.
    if (wire.parsedStatements[name] !== undefined) {
      on.beginPending = false;
      begin = true;
    } else {
      await on.sendBegin();
    }
  }
  if (on.deferred.length && !on.parses(name, text)) {
    // Nothing goes ahead of a Parse (see the top of this file): what waits goes first, on its own,
    // and its failure is this statement's all the same.
    await flushDeferred(on, null);
  }
  const statementShapes = shapesOf(wire);
  return new Promise((resolve, reject) => {
    const before: Before[] = begin ? beginWith(on.settings) : [];
    if (on.deferred.length) before.push(...on.deferred.splice(0));
    const run = new NamedRun(name, text, values, client, statementShapes, before, (error, result) => (error ? reject(error) : resolve(result!)));
    client.query(run as unknown as pg.Submittable);
  });
}

function shapesOf(wire: WireConnection): Map<string, RowShape> {
  let known = shapes.get(wire);
  if (!known) shapes.set(wire, (known = new Map()));
  return known;
}

/** The same parameters, as pg would send them. */
function sameValues(sent: readonly unknown[], values: readonly unknown[]): boolean {
  if (sent.length !== values.length) return false;
  for (let i = 0; i < sent.length; i++) if (sent[i] !== prepareValue(values[i])) return false;
  return true;
}

/** The first statement of the connection's next transaction, to go with this one's COMMIT (commitAndBegin). */
export interface NextBegin { settings: readonly string[]; name: string; text: string; values: readonly unknown[] }

/** What the next transaction's first statement returned, run ahead with the previous COMMIT. */
export interface Prefetched { name: string; values: readonly unknown[]; result: { shape: RowShape; rows: unknown[][] } }

/**
 * COMMIT, with the deferred writes ahead of it, then the next transaction's BEGIN, its settings and
 * its first statement, all in one write with one Sync: a lane of the group commit answers one batch
 * and begins the next in one round trip. After an error PostgreSQL skips the rest until Sync: a
 * failure before COMMIT's answer fails the commit (nothing after it ran); one after it is the next
 * transaction's, which then begins with a ROLLBACK of what was begun for it. COMMIT's answer is
 * flushed ahead of the rest, so that a commit is known as one however long that statement then
 * waits, even if the connection is lost meanwhile. A COMMIT answered ROLLBACK (the transaction had
 * failed) is an error, and the BEGIN after it has opened a transaction the caller's rollback ends.
 */
export function commitAndBegin(on: PgConnection, next: NextBegin): Promise<void> {
  const wire = (on.client as unknown as { connection: WireConnection }).connection;
  // COMMIT's answer is flushed at once: PostgreSQL holds its output until Sync otherwise, and the
  // next read may wait on a lock; a connection lost meanwhile would leave a batch that committed
  // answered as failed.
  const before: Before[] = [...on.deferred.splice(0), { text: 'commit', flush: true }, ...beginWith(next.settings)];
  return new Promise((resolve, reject) => {
    const run: NamedRun = new NamedRun(next.name, next.text, next.values, on.client, shapesOf(wire), before, (error, result) => {
      if (!run.committed) return reject(error ?? notCommitted('ROLLBACK'));
      on.begunAhead = next.settings;
      if (error) on.rollbackBeforeBegin = true;
      else on.prefetched = { name: next.name, values: next.values.map(prepareValue), result: result! };
      resolve();
    });
    on.client.query(run as unknown as pg.Submittable);
  });
}
