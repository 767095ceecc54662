// Audit stream heads remembered between group-commit batches (SQLite only). Every authorization
// appends to its account's audit chain, and reading the chain's head back costs as much as the
// append itself; a batch that just wrote a head knows it.
//
// Why a remembered head is never wrong:
// - It is used and updated only inside group-commit batches, from the moment the batch's
//   transaction holds SQLite's single connection; any other append on the connection forgets its
//   stream, so no other writer in this process can leave it stale (a transaction that appended
//   and then rolled back while a batch waited for the connection was a bug caught by the tests).
// - A rolled-back savepoint or a failed batch may undo heads written in it: the batch forgets
//   every head then.
// - Another process appending to the same stream takes the next `seq` first, so this process's
//   append collides with UNIQUE (stream, seq); the unit's savepoint rolls back (forgetting all
//   heads) and its retry reads the head from the table.
import type { Executor } from './db.js';

export interface AuditHead { seq: number; hash: string }

/** Bound on remembered streams (one per card account): ~150 bytes each. */
const MAX_HEADS = 100_000;

export class AuditHeads {
  private readonly heads = new Map<string, AuditHead>();
  private batchDepth = 0;

  get inBatch(): boolean { return this.batchDepth > 0; }

  beginBatch(): void { this.batchDepth++; }
  endBatch(): void { this.batchDepth--; }

  get(stream: string): AuditHead | undefined { return this.inBatch ? this.heads.get(stream) : undefined; }

  /** After an append: remembered inside a batch, forgotten outside one. */
  appended(stream: string, head: AuditHead): void {
    if (!this.inBatch) { this.heads.delete(stream); return; }
    if (this.heads.size >= MAX_HEADS) this.heads.clear();
    this.heads.set(stream, head);
  }

  forget(stream: string): void { this.heads.delete(stream); }
  forgetAll(): void { this.heads.clear(); }
  get size(): number { return this.heads.size; }
}

const byConnection = new WeakMap<object, AuditHeads>();

/** The heads of the SQLite database `db` belongs to (shared by its transactions). */
export function auditHeadsOf(db: Executor): AuditHeads {
  const key = db.getExecutor().adapter;
  let heads = byConnection.get(key);
  if (!heads) byConnection.set(key, (heads = new AuditHeads()));
  return heads;
}
