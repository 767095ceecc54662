// Reading the SQLite file into the page cache after start (src/runtime/prewarm.ts): on real files,
// through a real service whose log is read back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { prewarmDatabase, startBackgroundJobs } from '../../src/jobs.js';
import { createLogger } from '../../src/logger.js';
import { openDatabase } from '../../src/store/db.js';
import { prewarmFile, sqliteFileOf } from '../../src/runtime/prewarm.js';
import { ADMIN_KEY, NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'isc-prewarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 2 ** 20;

describe('prewarmFile', () => {
  const file = join(dir, 'blob');
  // Not a multiple of the chunk: the last read is short.
  writeFileSync(file, randomBytes(3 * MiB + 12_345));

  it('reads the whole file, a chunk at a time, on a worker thread', async () => {
    const r = await prewarmFile(file, { maxBytes: 64 * MiB, chunkBytes: MiB });
    expect(r.bytes).toBe(statSync(file).size);
    expect(r.stopped).toBe(false);
  });

  it('reads no more than the cap', async () => {
    const r = await prewarmFile(file, { maxBytes: MiB + 1, chunkBytes: MiB });
    expect(r.bytes).toBe(MiB + 1);
  });

  it('stops when its signal aborts (shutdown)', async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await prewarmFile(file, { maxBytes: 64 * MiB, chunkBytes: MiB, signal: stop.signal });
    expect(r).toMatchObject({ bytes: 0, stopped: true });
  });

  it('fails, naming the file, when there is none', async () => {
    await expect(prewarmFile(join(dir, 'missing'), { maxBytes: MiB })).rejects.toThrow(/ENOENT.*missing/);
  });

  it('reads an empty file without error', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect((await prewarmFile(empty, { maxBytes: MiB })).bytes).toBe(0);
  });
});

describe('sqliteFileOf', () => {
  it('names the file of SQLite on disk, and nothing for an in-memory database', async () => {
    const onDisk = openDatabase(`sqlite:${join(dir, 'named.db')}`, { backgroundCheckpoints: false });
    const inMemory = openDatabase('sqlite::memory:');
    try {
      expect(sqliteFileOf(onDisk)).toBe(join(dir, 'named.db'));
      expect(sqliteFileOf(inMemory)).toBeNull();
    } finally {
      await onDisk.close();
      await inMemory.close();
    }
  });
});

describe('the service reads its SQLite file ahead (SQLITE_PREWARM_MB)', () => {
  async function service(env: Record<string, string>) {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, `svc-${randomBytes(4).toString('hex')}.db`)}`, DEMO: '0', ...env });
    const deps = await startServices({
      config, logger: createLogger('info', sink),
      secrets: { adminApiKey: ADMIN_KEY, networkKeyId: NETWORK_KEY_ID, networkSecret: NETWORK_SECRET, masterKey: randomBytes(32) },
    });
    const prewarmLines = () => lines.map((l) => JSON.parse(l)).filter((l) => l.job === 'prewarm');
    return { deps, prewarmLines };
  }

  it('logs what it read, and shows it in /metrics', async () => {
    const { deps, prewarmLines } = await service({});
    try {
      const reading = prewarmDatabase(deps);
      expect(await deps.metrics!.registry.metrics()).toMatch(/^db_prewarm_done 0$/m);
      await reading;
      // The checkpointer may grow the file after the read: what was read is at most its size now.
      const metrics = await deps.metrics!.registry.metrics();
      expect(metrics).toMatch(/^db_prewarm_done 1$/m);
      const bytes = Number(/^db_prewarm_bytes (\d+)$/m.exec(metrics)?.[1]);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThanOrEqual(statSync(sqliteFileOf(deps.handle)!).size);
      expect(prewarmLines()).toEqual([expect.objectContaining({ msg: 'database file read into the page cache', mb: Math.round(bytes / MiB * 10) / 10, stopped: false })]);
    } finally {
      await deps.handle.close();
    }
  });

  it('is off at SQLITE_PREWARM_MB=0', async () => {
    const { deps, prewarmLines } = await service({ SQLITE_PREWARM_MB: '0' });
    try {
      expect(deps.config.sqlitePrewarmMb).toBe(0);
      await prewarmDatabase(deps);
      expect(prewarmLines()).toEqual([]);
      expect(await deps.metrics!.registry.metrics()).not.toContain('db_prewarm');
    } finally {
      await deps.handle.close();
    }
  });

  it('starts with the background jobs, which stop it', async () => {
    const { deps, prewarmLines } = await service({});
    try {
      const jobs = startBackgroundJobs(deps);
      jobs.stop();
      await expect.poll(prewarmLines, { timeout: 5_000 }).toEqual([expect.objectContaining({ stopped: true, mb: 0, msg: 'stopped reading the database file ahead (shutdown)' })]);
    } finally {
      await deps.handle.close();
    }
  });

  it('reports through the same gauges when it runs again on the same metrics', async () => {
    const { deps } = await service({});
    try {
      await prewarmDatabase(deps);
      await prewarmDatabase(deps);
      expect(await deps.metrics!.registry.metrics()).toMatch(/^db_prewarm_done 1$/m);
    } finally {
      await deps.handle.close();
    }
  });

  it('defaults to half the memory the process may use, and refuses a negative cap', () => {
    const limit = process.constrainedMemory?.() ?? 0;
    expect(loadConfig({}).sqlitePrewarmMb).toBe(Math.floor((limit > 0 ? Math.min(limit, totalmem()) : totalmem()) / 2 / MiB));
    expect(() => loadConfig({ SQLITE_PREWARM_MB: '-1' })).toThrow(/SQLITE_PREWARM_MB/);
  });
});
