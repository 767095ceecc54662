// Audit stream heads remembered between group-commit batches (SQLite only). Every authorization
// appends to the audit chain (on SQLite the one `global` chain; older databases keep their
// per-account chains beside it), and reading the chain's head back costs as much as the append
// itself; a batch that just wrote a head knows it.
//
// Why a remembered head is never wrong (never newer than the table, which would leave a gap):
// - A batch's heads are its own until its transaction has committed: only then are they published
//   for later batches. A rolled-back savepoint drops the batch's own heads; a failed commit never
//   publishes them. So a published head always names a committed row.
// - Heads are read and written only inside a batch whose transaction holds SQLite's single
//   connection; any other append in this process forgets its stream (a transaction that appended
//   and rolled back while a batch waited for the connection was a bug the tests caught).
// - Another connection's appends (another process, or the main thread's connection when the
//   authorization worker has one of its own) move heads behind this process's back: each batch
//   first reads SQLite's data_version, which changes when another connection has committed, and
//   then drops every published head (they are read from the table again). Without that, the next
//   batch's first append would collide and the whole batch run again (group-commit.ts).
// - Should a head still be older than the table (a slower batch published late), the append
//   collides with UNIQUE (stream, seq): the batch is rolled back and runs again with savepoints, and
//   the retry reads the head from the table.
import type { Executor } from '../store/db.js';

export interface AuditHead { seq: number; hash: string }

/** Bound on remembered streams (~150 bytes each): one today, one per account in older databases. */
const MAX_HEADS = 100_000;

/** The heads one batch has written, visible to that batch only until it has committed. */
export class BatchHeads {
  readonly written = new Map<string, AuditHead>();
}

export class AuditHeads {
  private readonly published = new Map<string, AuditHead>();
  private current: BatchHeads | undefined;
  private dataVersion: number | undefined;

  /**
   * At the start of each batch, SQLite's `PRAGMA data_version` on this connection: when it moved,
   * another connection committed, perhaps appends, so the published heads are no longer trusted.
   */
  seenDataVersion(version: number): void {
    if (this.dataVersion !== undefined && version !== this.dataVersion) this.published.clear();
    this.dataVersion = version;
  }

  /** Called once the batch's transaction holds the connection. */
  beginBatch(): BatchHeads {
    this.current = new BatchHeads();
    return this.current;
  }

  /** Called when the batch's work is done, before its commit. */
  endBatch(): void { this.current = undefined; }

  /** After the batch's commit succeeded: its heads become known to the batches after it. */
  publish(batch: BatchHeads): void {
    if (this.published.size + batch.written.size > MAX_HEADS) this.published.clear();
    for (const [stream, head] of batch.written) this.published.set(stream, head);
  }

  get(stream: string): AuditHead | undefined {
    if (!this.current) return undefined;
    return this.current.written.get(stream) ?? this.published.get(stream);
  }

  /** After an append: the batch's own inside a batch, forgotten outside one. */
  appended(stream: string, head: AuditHead): void {
    if (this.current) this.current.written.set(stream, head);
    else this.published.delete(stream);
  }

  forget(stream: string): void {
    this.published.delete(stream);
    this.current?.written.delete(stream);
  }

  /**
   * A savepoint rolled back: what the batch wrote may be undone. The published heads of the same
   * streams are committed but older than what the batch's earlier units appended: forgotten too, so
   * the next unit reads its head from the table instead of colliding (with one chain on SQLite,
   * every unit of the batch appends to the same stream).
   */
  forgetBatch(): void {
    if (!this.current) return;
    for (const stream of this.current.written.keys()) this.published.delete(stream);
    this.current.written.clear();
  }

  get size(): number { return this.published.size + (this.current?.written.size ?? 0); }
}

const byConnection = new WeakMap<object, AuditHeads>();

/** The heads of the SQLite database `db` belongs to (shared by its transactions). */
export function auditHeadsOf(db: Executor): AuditHeads {
  const key = db.getExecutor().adapter;
  let heads = byConnection.get(key);
  if (!heads) byConnection.set(key, (heads = new AuditHeads()));
  return heads;
}
