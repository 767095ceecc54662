// Audit stream heads remembered between group-commit batches (runtime/audit-heads.ts, SQLite only):
// whatever rolls back, whoever else appends, the chain stays dense and verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { GroupCommit, type BatchStats } from '../../src/runtime/group-commit.js';
import { auditHeadsOf } from '../../src/runtime/audit-heads.js';
import { appendAudit } from '../../src/store/audit.repository.js';
import { openDatabase, type DbHandle, type Trx } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

describe('remembered audit heads (SQLite group commit)', () => {
  let dir: string;
  let handle: DbHandle;
  let other: DbHandle; // a second process's connection to the same file
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'isc-heads-'));
    handle = openDatabase(`sqlite:${join(dir, 'a.db')}`);
    await migrate(handle);
    other = openDatabase(`sqlite:${join(dir, 'a.db')}`, { backgroundCheckpoints: false });
  });
  afterAll(async () => { await other.close(); await handle.close(); rmSync(dir, { recursive: true, force: true }); });

  const append = (db: Trx | DbHandle['db'], stream: string, action = 'test.append') =>
    appendAudit(db, { stream, actorType: 'system', actorId: 'test', action, nowMs: 1_700_000_000_000 });
  const seqs = async (stream: string) =>
    (await handle.db.selectFrom('audit_log').select('seq').where('stream', '=', stream).orderBy('seq').execute()).map((r) => r.seq);

  it('a batch remembers the heads it wrote and reuses them in the next batch', async () => {
    const gc = new GroupCommit(handle);
    await gc.run((trx) => append(trx, 's:remember'));
    expect(auditHeadsOf(handle.db).size).toBeGreaterThan(0);
    await gc.run((trx) => append(trx, 's:remember'));
    expect(await seqs('s:remember')).toEqual([1, 2]);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('an append rolled back with its savepoint is not remembered', async () => {
    const gc = new GroupCommit(handle);
    await gc.run((trx) => append(trx, 's:rollback'));
    const results = await Promise.allSettled([
      gc.run(async (trx) => { await append(trx, 's:rollback'); throw new Error('later step fails'); }),
      gc.run((trx) => append(trx, 's:rollback')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    await gc.run((trx) => append(trx, 's:rollback'));
    expect(await seqs('s:rollback')).toEqual([1, 2, 3]);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('a rolled-back unit makes the batch forget the published head of its stream too (the next unit reads the table)', async () => {
    const heads = auditHeadsOf(handle.db);
    const batch = heads.beginBatch();
    heads.appended('s:forget', { seq: 1, hash: 'a' });
    heads.endBatch();
    heads.publish(batch);
    heads.beginBatch();
    expect(heads.get('s:forget')).toEqual({ seq: 1, hash: 'a' });
    heads.appended('s:forget', { seq: 2, hash: 'b' }); // an earlier unit of this batch
    heads.forgetBatch(); // a later unit rolled back: seq 1 is committed but no longer the head
    expect(heads.get('s:forget')).toBeUndefined();
    heads.endBatch();
  });

  it('a batch whose commit fails publishes none of its heads', async () => {
    const gc = new GroupCommit(handle);
    await gc.run((trx) => append(trx, 's:commit-fails'));
    // A deferred foreign-key violation: the unit succeeds, the COMMIT fails, nothing is kept.
    await expect(gc.run(async (trx) => {
      await sql`pragma defer_foreign_keys = on`.execute(trx);
      await append(trx, 's:commit-fails');
      await trx.insertInto('notifications').values({
        id: 'ntf_orphan', customer_id: 'cust_missing', account_id: null, card_id: null, kind: 'test', severity: 'info',
        message: 'x', data: '{}', created_at: 1, read_at: null,
      }).execute();
    })).rejects.toThrow(/FOREIGN KEY/);
    await gc.run((trx) => append(trx, 's:commit-fails'));
    expect(await seqs('s:commit-fails')).toEqual([1, 2]);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('an append by another connection in between: the next batch sees data_version move, reads the head again, and chains after it at once', async () => {
    const gc = new GroupCommit(handle);
    const batches: BatchStats[] = [];
    gc.observe((b) => batches.push(b));
    await gc.run((trx) => append(trx, 's:other'));
    await append(other.db, 's:other', 'other.process');
    await gc.run((trx) => append(trx, 's:other'));
    // No collision, so no rerun: without the data_version check the remembered head (seq 1) would
    // collide with the other connection's entry and the batch would run twice.
    expect(batches.map((b) => b.rerun)).toEqual([false, false]);
    expect(await seqs('s:other')).toEqual([1, 2, 3]);
    const actions = await handle.db.selectFrom('audit_log').select('action').where('stream', '=', 's:other').orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['test.append', 'other.process', 'test.append']);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('an append outside a batch in this process makes the batch read the head again', async () => {
    const gc = new GroupCommit(handle);
    await gc.run((trx) => append(trx, 's:outside'));
    await handle.db.transaction().execute((trx) => append(trx, 's:outside', 'outside.batch'));
    await gc.run((trx) => append(trx, 's:outside'));
    expect(await seqs('s:outside')).toEqual([1, 2, 3]);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('an append rolled back by a transaction the batch waited for is not remembered', async () => {
    const gc = new GroupCommit(handle);
    await gc.run((trx) => append(trx, 's:waiting'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    // A banking-style transaction holds the only connection...
    const outside = handle.db.transaction().execute(async (trx) => {
      await gate;
      await append(trx, 's:waiting', 'rolled.back');
      throw new Error('the outside transaction fails');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // ...while a batch waits for it; then it appends and rolls back.
    const batched = gc.run((trx) => append(trx, 's:waiting'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    await expect(outside).rejects.toThrow('the outside transaction fails');
    await batched;
    expect(await seqs('s:waiting')).toEqual([1, 2]);
    expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
  });

  it('property: any mix of failing units, outside appends (committed or not) and other-process appends keeps every chain dense and valid', async () => {
    const step = fc.record({
      stream: fc.constantFrom('p:a', 'p:b', 'p:c'),
      how: fc.constantFrom('batch', 'batch-fails', 'outside', 'outside-fails', 'other-process'),
    });
    await fc.assert(fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), async (rounds) => {
      const gc = new GroupCommit(handle);
      for (const round of rounds) {
        // The "other process" shares this thread: its busy wait would block the event loop while a
        // transaction here holds the lock, so it appends between rounds rather than among them.
        for (const s of round.filter((r) => r.how === 'other-process')) await append(other.db, s.stream);
        await Promise.allSettled(round.filter((r) => r.how !== 'other-process').map((s) => {
          if (s.how === 'outside') return handle.db.transaction().execute((trx) => append(trx, s.stream));
          if (s.how === 'outside-fails') {
            return handle.db.transaction().execute(async (trx) => {
              await append(trx, s.stream);
              await new Promise((resolve) => setImmediate(resolve)); // let a batch queue up meanwhile
              throw new Error('outside transaction fails');
            });
          }
          return gc.run(async (trx) => {
            await append(trx, s.stream);
            if (s.how === 'batch-fails') throw new Error('fails after appending');
          });
        }));
      }
      for (const stream of ['p:a', 'p:b', 'p:c']) {
        const s = await seqs(stream);
        expect(s).toEqual(s.map((_, i) => i + 1));
      }
      expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
    }), { numRuns: 25 });
  });
});
