// The background checkpointer (src/runtime/checkpointer.ts) on a real SQLite file: it keeps the WAL
// copied back into the database, and its thread runs below the event loop's priority.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHECKPOINTER_NICE, Checkpointer, ErrorThrottle, type RestartHold } from '../../src/runtime/checkpointer.js';
import { walCheckpointSequence } from '../support/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'isc-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WAIT = { timeout: 5000, interval: 20 };

/** Thread id → nice value of every thread of this process (Linux: field 19 of /proc/…/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nices.set(Number(tid), Number(fields[16]));
    } catch { /* the thread ended meanwhile */ }
  }
  return nices;
}

function walDatabase(name: string) {
  const db = new SqliteDatabase(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // only the checkpointer copies the WAL back
  db.exec('create table t (id integer primary key, v text)');
  return db;
}

/** ~100 KB of rows, committed to the WAL. */
function writeRows(db: SqliteDatabase.Database) {
  const insert = db.prepare('insert into t (v) values (?)');
  db.transaction(() => { for (let i = 0; i < 500; i++) insert.run('x'.repeat(200)); })();
}

describe('Checkpointer', () => {
  it('copies committed WAL frames back into the database file by itself', async () => {
    const db = walDatabase('copies.db');
    const checkpointer = new Checkpointer(db.name, 'FULL');
    try {
      const sizeBefore = statSync(db.name).size;
      writeRows(db);
      // Only a checkpoint writes pages into the database file (the connection's own are off).
      const grown = await vi.waitUntil(() => (statSync(db.name).size >= sizeBefore + 100_000 ? statSync(db.name).size : undefined), WAIT);
      expect(grown).toBeGreaterThanOrEqual(sizeBefore + 100_000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  // A runner already within 10 steps of 19 could not tell the lowered thread from any other.
  const processNice = getPriority();
  it.runIf(process.platform === 'linux' && processNice + CHECKPOINTER_NICE <= 19)('runs on a thread of its own, CHECKPOINTER_NICE steps below the process\'s priority, and that thread ends with stop()', async () => {
    expect(CHECKPOINTER_NICE).toBeGreaterThan(0);
    const db = walDatabase('nice.db');
    const before = threadNices();
    expect(before.get(process.pid)).toBe(processNice);
    const checkpointer = new Checkpointer(db.name, 'FULL');
    let tid: number | undefined;
    try {
      tid = await vi.waitUntil(() => [...threadNices()].find(([id, nice]) => !before.has(id) && nice === processNice + CHECKPOINTER_NICE)?.[0], WAIT);
      // The process's other threads, the event loop's among them, keep their priority.
      expect(threadNices().get(process.pid)).toBe(before.get(process.pid));
    } finally {
      await checkpointer.stop();
      db.close();
    }
    await vi.waitUntil(() => !threadNices().has(tid!), WAIT);
  });

  it.runIf(process.platform === 'linux')('keeps the process\'s priority when told nice 0 (SQLITE_CHECKPOINT_NICE=0)', async () => {
    const db = walDatabase('nice0.db');
    const before = threadNices();
    const checkpointer = new Checkpointer(db.name, 'FULL', { nice: 0 });
    try {
      // The thread is up once it has checkpointed (the file grown, as in the first test).
      const sizeBefore = statSync(db.name).size;
      writeRows(db);
      await vi.waitUntil(() => statSync(db.name).size >= sizeBefore + 100_000, WAIT);
      const fresh = [...threadNices()].filter(([id]) => !before.has(id));
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh.every(([, nice]) => nice === processNice)).toBe(true);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });
});

describe('WAL restarts under a steady writer', () => {
  /**
   * A writer like the group commit: a small transaction at every turn of the event loop, none while
   * the checkpointer holds it. SQLite restarts the WAL only when a transaction begins with every
   * frame copied back, which a writer this busy never leaves time for. Returns the WAL file's size
   * in pages: it is reused from its start after a restart, so its size is its high-water mark.
   */
  async function steadyWriter(name: string, hold: boolean, o: { pinnedReader?: boolean; pinSnapshot?: boolean; completeHolds?: number; restarts?: number } = {}) {
    const db = walDatabase(name);
    // A reader that stays on an early snapshot: no checkpoint may copy back what it cannot see yet.
    const reader = o.pinnedReader ? new SqliteDatabase(db.name, { readonly: true }) : undefined;
    reader?.exec('begin');
    reader?.prepare('select count(*) from t').get();
    const checkpointer = new Checkpointer(db.name, 'FULL', { restartAtFrames: 200 });
    let held = false;
    const holds: RestartHold[] = [];
    checkpointer.observeRestarts((h) => holds.push(h));
    if (hold) checkpointer.holdWriterWith(async () => { held = true; return () => { held = false; }; });
    const unpin = o.pinSnapshot ? checkpointer.pinSnapshot() : undefined;
    const insert = db.prepare('insert into t (v) values (?)');
    let transactions = 0;
    const sequenceBefore = walCheckpointSequence(db.name);
    try {
      // 1.5 s, or until `completeHolds` holds copied everything back and the WAL started over
      // `restarts` times (at most 10 s): on a loaded host the writer commits less often, and the
      // WAL reaches the restart size later.
      const started = Date.now();
      const writing = () => {
        const elapsed = Date.now() - started;
        if (elapsed < 1500) return true;
        if (elapsed >= 10_000) return false;
        return holds.filter((h) => h.complete).length < (o.completeHolds ?? 0)
          || walCheckpointSequence(db.name) - sequenceBefore < (o.restarts ?? 0);
      };
      while (writing()) {
        if (!held) {
          db.transaction(() => { for (let i = 0; i < 4; i++) insert.run('x'.repeat(300)); })();
          transactions++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Every hold is let go (a hold under way when the writer stopped, too).
      await vi.waitUntil(() => !held, WAIT);
      expect(db.prepare('select count(*) from t').pluck().get()).toBe(transactions * 4);
      return { walPages: statSync(`${db.name}-wal`).size / 4096, walRestarts: walCheckpointSequence(db.name) - sequenceBefore, holds };
    } finally {
      reader?.exec('rollback');
      reader?.close();
      unpin?.();
      await checkpointer.stop();
      db.close();
    }
  }

  it('holds the writer between two transactions while the last frames are copied back, so that the WAL starts over instead of growing', async () => {
    const unheld = await steadyWriter('grows.db', false);
    const held = await steadyWriter('restarts.db', true, { completeHolds: 3, restarts: unheld.walRestarts + 3 });
    expect(unheld.holds).toEqual([]);
    const complete = held.holds.filter((h) => h.complete).length;
    expect(complete).toBeGreaterThanOrEqual(3);
    // Restarted after most holds that left it wholly copied back (the next transaction may find the
    // periodic thread in its pass and append instead); left alone it hardly ever restarts.
    expect(held.walRestarts).toBeGreaterThanOrEqual(Math.ceil(complete / 2));
    expect(held.walRestarts).toBeGreaterThan(unheld.walRestarts + 2);
    expect(held.walPages).toBeLessThan(unheld.walPages);
  });

  it('does not hold the writer again and again when the last frames cannot be copied back (a reader on an old snapshot)', async () => {
    const pinned = await steadyWriter('pinned.db', true, { pinnedReader: true });
    // Without the checks it was held ~25 times in these 1.5 s, 50 ms each: the restart thread's pass
    // with the writer running shows it far behind, so no hold is tried, and after a failed one
    // none for a second at least.
    expect(pinned.holds.length).toBeLessThanOrEqual(1);
    expect(pinned.holds.every((h) => !h.complete)).toBe(true);
    expect(pinned.walRestarts).toBe(0);
  });

  it('tries no restart while a report says it holds a snapshot (pinSnapshot)', async () => {
    // The same writer, unpinned, is held at least three times (above).
    const pinned = await steadyWriter('report.db', true, { pinSnapshot: true });
    expect(pinned.holds).toEqual([]);
  });
});

describe('checkpoint failures', () => {
  it('reports a checkpoint thread that cannot open its database, naming the cause', async () => {
    const reports: Array<{ message: string; failures: number }> = [];
    const checkpointer = new Checkpointer(join(dir, 'missing.db'), 'FULL', { onError: (message, failures) => reports.push({ message, failures }) });
    try {
      const first = await vi.waitUntil(() => reports[0], WAIT);
      expect(first.message).toMatch(/does not exist|unable to open/i);
      expect(first.failures).toBe(1);
    } finally {
      await checkpointer.stop();
    }
    // Both threads failed; the second within the minute was held back, and stopping reports it.
    expect(reports.reduce((n, r) => n + r.failures, 0)).toBe(2);
  });

  it('passes on the first failure at once, then at most one a minute with the count it stands for', () => {
    let now = 1_000_000;
    const reports: Array<[string, number]> = [];
    const throttle = new ErrorThrottle((message, failures) => reports.push([message, failures]), () => now);
    throttle.failed('disk I/O error');
    for (let i = 0; i < 2399; i++) { now += 25; throttle.failed('disk I/O error'); } // a minute at 40 a second, less 25 ms
    expect(reports).toEqual([['disk I/O error', 1]]);
    now += 25;
    throttle.failed('database is locked');
    expect(reports).toEqual([['disk I/O error', 1], ['database is locked', 2400]]);
    now += 59_999;
    throttle.failed('x');
    expect(reports).toHaveLength(2);
  });

  it('passes on, when flushed, the failures it held back, and every later one at once', () => {
    const reports: Array<[string, number]> = [];
    let now = 0;
    new ErrorThrottle((message, failures) => reports.push([message, failures]), () => now).flush();
    expect(reports).toEqual([]);
    const throttle = new ErrorThrottle((message, failures) => reports.push([message, failures]), () => now);
    throttle.failed('disk I/O error');
    for (let i = 0; i < 9; i++) { now += 25; throttle.failed(i < 8 ? 'disk I/O error' : 'database is locked'); }
    throttle.flush();
    expect(reports).toEqual([['disk I/O error', 1], ['database is locked', 9]]);
    throttle.flush();
    expect(reports).toHaveLength(2);
    throttle.failed('disk I/O error'); // once flushed, nothing is held back
    expect(reports).toEqual([['disk I/O error', 1], ['database is locked', 9], ['disk I/O error', 1]]);
  });
});
