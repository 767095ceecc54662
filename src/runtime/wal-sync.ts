// Durable group commits without holding the event loop during fsync (SQLite, synchronous=FULL).
//
// In WAL mode, synchronous=FULL is synchronous=NORMAL plus one fsync of the WAL file after each
// commit (sqlite.org/pragma.html#pragma_synchronous). better-sqlite3 runs that fsync on the main
// thread, so with FULL every commit stops all request handling for the length of a disk flush.
// A group commit does the same thing in two halves instead: it commits its batch under NORMAL, then
// fsyncs the WAL file on libuv's thread pool and answers its requests only when that fsync has
// returned. What is answered is exactly as durable as under FULL (the fsync covers every frame
// written so far, the WAL header included), and the next batch runs while the disk flushes.
// Everything else on the connection stays at FULL: the switch is made only while the group commit
// holds the connection, outside any transaction (SQLite refuses it inside one).
import { closeSync, fsync, openSync } from 'node:fs';
import type SqliteDatabase from 'better-sqlite3';

/**
 * Who fsyncs the WAL after a group commit: this connection's thread, on libuv's thread pool
 * ('thread-pool'), or whoever the results are handed to ('caller'): the authorization worker commits
 * and hands its answers to the main thread, which fsyncs before releasing them (see
 * runtime/authorization-worker.ts).
 */
export type WalFsync = 'thread-pool' | 'caller';

export class WalSync {
  private fd: number | null = null;
  /** fsyncs of the WAL completed so far (metrics). */
  completed = 0;
  // Prepared once: pragma() prepares its statement on every call, twice per batch.
  private readonly toNormal: SqliteDatabase.Statement;
  private readonly toFull: SqliteDatabase.Statement;

  constructor(private readonly sqlite: SqliteDatabase.Database, private readonly where: WalFsync = 'thread-pool') {
    this.toNormal = sqlite.prepare('PRAGMA synchronous = NORMAL');
    this.toFull = sqlite.prepare('PRAGMA synchronous = FULL');
  }

  /** Commits made inside `run` skip SQLite's own fsync; call `sync()` before acknowledging them. */
  async relaxed<T>(run: () => Promise<T>): Promise<T> {
    this.toNormal.run();
    try {
      return await run();
    } finally {
      this.toFull.run();
    }
  }

  /**
   * fsync of the WAL file on libuv's thread pool; at once when the caller fsyncs (WalFsync), in which
   * case what was committed is durable only after the caller's fsync.
   */
  sync(): Promise<void> {
    if (this.where === 'caller') return Promise.resolve();
    this.fd ??= openSync(`${this.sqlite.name}-wal`, 'r+');
    const fd = this.fd;
    return new Promise((resolve, reject) => fsync(fd, (error) => {
      if (error) return reject(error);
      this.completed++;
      resolve();
    }));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
