// Under steady network load the group commit never leaves SQLite the moment it needs to start the
// WAL over (a transaction beginning with every frame copied back), so the checkpointer holds it
// between two batches once the WAL is large (src/runtime/checkpointer.ts). Through the whole service:
// purchases at FULL keep being approved, the WAL starts over, and /metrics shows the holds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { walCheckpointSequence } from '../support/databases.js';
import { ADMIN_KEY } from '../support/harness.js';
import { serverCardholder, signedPost, startTestServer, webPurchase, type TestServer } from '../support/server.js';

describe('WAL restarts under network load (SQLite on disk, FULL)', () => {
  let server: TestServer;
  // 20 pages, far below the default: this test's few hundred purchases a second reach it often.
  beforeAll(async () => { server = await startTestServer('sqlite', { sqliteSynchronous: 'FULL', sqliteWalRestartPages: 20 }); });
  afterAll(() => server.close());

  const walRestarts = () => walCheckpointSequence(server.deps.handle.sqlite!.name);
  // Holds that ended in a restart, as /metrics counts them since the server started.
  const restartedHolds = async () => {
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    return Number(/^db_wal_restart_hold_seconds_count\{outcome="restarted"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
  };

  it('holds the group commit between batches so that the WAL starts over, and every purchase is still answered', async () => {
    const holders = await Promise.all(Array.from({ length: 4 }, () => serverCardholder(server, 200_000)));
    // Both counted from here: the cardholders' set-up restarts the WAL too, more often on a busy host.
    const before = walRestarts();
    const holdsBefore = await restartedHolds();
    let approved = 0;
    // 16 purchases in flight on each card for two seconds: batches back to back.
    const until = Date.now() + 2000;
    await Promise.all(holders.flatMap((h) => Array.from({ length: 16 }, async () => {
      while (Date.now() < until) {
        const answer = await signedPost(server, '/v1/network/authorizations', webPurchase(h, 1));
        expect(answer).toMatchObject({ status: 200, body: { responseCode: '00' } });
        approved++;
      }
    })));
    expect(approved).toBeGreaterThan(100);
    const restarted = (await restartedHolds()) - holdsBefore;
    expect(restarted).toBeGreaterThan(0);
    expect(walRestarts() - before).toBeGreaterThanOrEqual(Math.ceil(restarted / 2));
    // Nothing approved was lost on the way.
    const audit = await verifyAuditLog(server.deps.handle.db, Date.now());
    expect(audit.problems).toEqual([]);
    expect((await checkLedger(server.deps.handle.db)).differences).toEqual([]);
    const held = await server.deps.handle.db.selectFrom('card_accounts').select(({ fn }) => fn.sum<number>('held_fils').as('held'))
      .where('id', 'in', holders.map((h) => h.accountId)).executeTakeFirstOrThrow();
    expect(Number(held.held)).toBe(approved);
  });
});

describe('WAL restarts in a process with nothing else to wait for', () => {
  it('keeps the process alive while the group commit is held (the bench\'s engine run, a script)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isc-held-'));
    try {
      // Before the fix such a process exited in the middle of a hold (code 13: an unsettled
      // top-level await), its writers still waiting.
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/group-commit-process.ts', join(dir, 'held.db'), '1.5'], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^committed [1-9]\d* held [1-9]\d*$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the backstop beside the WAL restart', () => {
  it('sits 16,000 pages past the restart threshold, and at 16,000 when restarts are off (SQLITE_WAL_RESTART_PAGES=0) or elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isc-backstop-'));
    try {
      const backstop = async (options: Parameters<typeof openDatabase>[1]) => {
        const handle = openDatabase(`sqlite:${join(dir, 'b.db')}`, options);
        try { return handle.sqlite!.pragma('wal_autocheckpoint', { simple: true }); } finally { await handle.close(); }
      };
      expect(await backstop({})).toBe(40_000);
      expect(await backstop({ sqliteWalRestartPages: 500 })).toBe(16_500);
      expect(await backstop({ sqliteWalRestartPages: 0 })).toBe(16_000);
      expect(await backstop({ backgroundCheckpoints: 'elsewhere' })).toBe(16_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
