// The reports that read a whole table (audit head, ledger check) run, on SQLite on disk, on a
// thread of their own with a read-only connection (src/runtime/report-thread.ts): the same figures as on
// the main connection, while the main thread stays free; elsewhere they run on the handle itself.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { seedDemoCustomer } from '../../src/demo.js';
import type { AppDeps } from '../../src/http/env.js';
import { runReportOn } from '../../src/service/reports/run-report.js';
import { openDatabase } from '../../src/store/db.js';
import { forEachBackend } from '../support/backends.js';
import { freshDatabase } from '../support/databases.js';

const secrets = () => ({ adminApiKey: 'a'.repeat(32), networkKeyId: 'net_test', networkSecret: 'b'.repeat(64), masterKey: randomBytes(32) });

describe('the report thread (SQLite on disk)', () => {
  let dir: string;
  let deps: AppDeps;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'isc-reports-'));
    const handle = openDatabase(`sqlite:${join(dir, 'cards.db')}`);
    deps = await startServices({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', REPORT_THREAD_NICE: '7' }), secrets: secrets(), logger: pino({ level: 'silent' }), handle });
    await seedDemoCustomer(deps); // a customer and a current account: ledger transfers and audit entries
  });
  afterAll(async () => {
    await deps.handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the figures the main connection gives, from another thread', async () => {
    const asOfMs = Date.now() + 1_000;
    const ledger = await deps.reports.run({ kind: 'ledgerCheck' });
    expect(ledger).toEqual(await runReportOn(deps.handle.db, { kind: 'ledgerCheck' }));
    expect(ledger.ok).toBe(true);
    expect(ledger.totals.transfers).toBeGreaterThan(0);
    const head = await deps.reports.run({ kind: 'auditHead', asOfMs });
    expect(head).toEqual(await runReportOn(deps.handle.db, { kind: 'auditHead', asOfMs }));
    expect(head.entries).toBeGreaterThan(0);
    expect(deps.reports.threadId).toBeDefined();
    expect(deps.reports.threadId).not.toBe(threadId);
  });

  it.runIf(process.platform === 'linux')('runs REPORT_THREAD_NICE steps below the thread that started it (Linux)', async (ctx) => {
    // Field 19 of /proc/…/stat, counted after the command name (which may hold spaces).
    const niceOf = (tid: string) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const ours = niceOf(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]);
    if (ours + 7 > 19) ctx.skip(); // a suite run that far down: 7 steps lower cannot be told apart
    // A thread of its own, started for this test: the threads before and after the first report.
    await deps.reports.stop();
    const before = new Set(readdirSync('/proc/self/task'));
    await deps.reports.run({ kind: 'ledgerCheck' });
    const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
    expect(started.map(niceOf)).toContain(ours + 7);
  });

  it('each report reads what the main connection has committed by then', async () => {
    const account = await deps.handle.db.selectFrom('current_accounts').select(['id', 'balance_fils']).executeTakeFirstOrThrow();
    const setBalance = (fils: number) => deps.handle.db.updateTable('current_accounts').set({ balance_fils: fils }).where('id', '=', account.id).execute();
    await setBalance(account.balance_fils + 1);
    const broken = await deps.reports.run({ kind: 'ledgerCheck' });
    expect(broken.ok).toBe(false);
    expect(broken.differences).toContainEqual(expect.objectContaining({ subject: account.id, cached: account.balance_fils + 1 }));
    await setBalance(account.balance_fils);
    expect(await deps.reports.run({ kind: 'ledgerCheck' })).toMatchObject({ ok: true, differences: [] });
  });

  it('answers a failing report with an error, and goes on answering', async () => {
    await expect(deps.reports.run({ kind: 'nope' } as never)).rejects.toThrow(/report failed/);
    expect((await deps.reports.run({ kind: 'ledgerCheck' })).ok).toBe(true);
  });

  it('asked twice at once, the ledger check runs once and both get its answer', async () => {
    const [a, b] = await Promise.all([deps.reports.run({ kind: 'ledgerCheck' }), deps.reports.run({ kind: 'ledgerCheck' })]);
    expect(a).toBe(b);
    const c = await deps.reports.run({ kind: 'ledgerCheck' });
    expect(c).not.toBe(a); // a later request is a new pass
    expect(c).toEqual(a);
  });

  it('a thread that died is replaced at the next report', async () => {
    await deps.reports.run({ kind: 'ledgerCheck' });
    const first = deps.reports.threadId;
    // As if it had crashed (out of memory, say): its worker ends under it.
    await (deps.reports as unknown as { thread: { stop(): Promise<void> } }).thread.stop();
    expect(deps.reports.threadId).toBeUndefined();
    expect((await deps.reports.run({ kind: 'ledgerCheck' })).ok).toBe(true);
    expect(deps.reports.threadId).toBeDefined();
    expect(deps.reports.threadId).not.toBe(first);
  });

  it('stops with the database', async () => {
    const other = mkdtempSync(join(tmpdir(), 'isc-reports-'));
    const handle = openDatabase(`sqlite:${join(other, 'cards.db')}`);
    try {
      const d = await startServices({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), secrets: secrets(), logger: pino({ level: 'silent' }), handle });
      expect((await d.reports.run({ kind: 'ledgerCheck' })).ok).toBe(true);
      expect(d.reports.threadId).toBeDefined();
      await handle.close();
      expect(d.reports.threadId).toBeUndefined();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

forEachBackend((backend) => {
  it('runs on the handle itself where there is no file to share (in memory, PostgreSQL)', async () => {
    const { handle, close } = await freshDatabase(backend);
    try {
      const deps = await startServices({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), secrets: secrets(), logger: pino({ level: 'silent' }), handle });
      const report = await deps.reports.run({ kind: 'ledgerCheck' });
      expect(report).toMatchObject({ ok: true, differences: [] });
      expect(deps.reports.threadId).toBeUndefined();
    } finally {
      await close();
    }
  });
});
