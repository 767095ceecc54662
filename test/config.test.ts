import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration (SPEC §8)', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBe('sqlite:./data/cards.db');
    expect(c.env).toBe('development');
    expect(c.demo).toBe(true);
  });

  it('accepts keys of any length outside production, and any NODE_ENV name (demo mode only in development)', () => {
    const c = loadConfig({ NODE_ENV: 'ci', ADMIN_API_KEY: 'admin', NETWORK_SECRET: 'short', DEMO: 'yes' });
    expect(c.env).toBe('development');
    expect(c.given.adminApiKey).toBe('admin');
    expect(c.demo).toBe(false);
  });

  it('refuses short keys in production with a clear message, without echoing them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY: 'admin-key' })).toThrow(ConfigError);
    try { loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY: 'admin-key' }); } catch (e) {
      expect((e as Error).message).toContain('ADMIN_API_KEY');
      expect((e as Error).message).not.toContain('admin-key');
    }
  });

  it('rejects a malformed MASTER_KEY, PORT or CARD_BIN with the variable named', () => {
    expect(() => loadConfig({ MASTER_KEY: 'abc' })).toThrow(/MASTER_KEY/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ CARD_BIN: '12' })).toThrow(/CARD_BIN/);
  });

  it('lowers the checkpoint thread by 10 nice steps unless SQLITE_CHECKPOINT_NICE says otherwise (0–19)', () => {
    expect(loadConfig({}).sqliteCheckpointNice).toBe(10);
    expect(loadConfig({ SQLITE_CHECKPOINT_NICE: '0' }).sqliteCheckpointNice).toBe(0);
    expect(() => loadConfig({ SQLITE_CHECKPOINT_NICE: '-5' })).toThrow(/SQLITE_CHECKPOINT_NICE/);
    expect(() => loadConfig({ SQLITE_CHECKPOINT_NICE: '20' })).toThrow(/SQLITE_CHECKPOINT_NICE/);
  });

  it('lowers the report thread by 10 nice steps unless REPORT_THREAD_NICE says otherwise (0–19)', () => {
    expect(loadConfig({}).reportThreadNice).toBe(10);
    expect(loadConfig({ REPORT_THREAD_NICE: '0' }).reportThreadNice).toBe(0);
    expect(() => loadConfig({ REPORT_THREAD_NICE: '20' })).toThrow(/REPORT_THREAD_NICE/);
  });

  it('holds the group commit for a WAL restart at 24,000 pages unless SQLITE_WAL_RESTART_PAGES says otherwise (0: off, or 100–1,000,000)', () => {
    expect(loadConfig({}).sqliteWalRestartPages).toBe(24_000);
    expect(loadConfig({ SQLITE_WAL_RESTART_PAGES: '500' }).sqliteWalRestartPages).toBe(500);
    expect(loadConfig({ SQLITE_WAL_RESTART_PAGES: '0' }).sqliteWalRestartPages).toBe(0);
    expect(() => loadConfig({ SQLITE_WAL_RESTART_PAGES: '99' })).toThrow(/SQLITE_WAL_RESTART_PAGES/);
    expect(() => loadConfig({ SQLITE_WAL_RESTART_PAGES: '-1' })).toThrow(/SQLITE_WAL_RESTART_PAGES/);
    expect(() => loadConfig({ SQLITE_WAL_RESTART_PAGES: 'many' })).toThrow(/SQLITE_WAL_RESTART_PAGES/);
  });

  it('decodes MASTER_KEY from hex and base64', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ MASTER_KEY: hex }).given.masterKey?.length).toBe(32);
    expect(loadConfig({ MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }).given.masterKey?.length).toBe(32);
  });
});
