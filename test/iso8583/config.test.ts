import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('ISO 8583 configuration', () => {
  it('listens on 8583 by default; 0 is off; a bad value names the variable', () => {
    expect(loadConfig({}).iso8583).toEqual({ port: 8583, maxConnections: 64, idleTimeoutMs: 60_000 });
    expect(loadConfig({ ISO8583_PORT: '0' }).iso8583.port).toBe(0);
    expect(() => loadConfig({ ISO8583_PORT: '70000' })).toThrow(/ISO8583_PORT/);
    expect(() => loadConfig({ ISO8583_PORT: 'iso' })).toThrow(/ISO8583_PORT/);
    expect(() => loadConfig({ ISO8583_MAX_CONNECTIONS: '0' })).toThrow(/ISO8583_MAX_CONNECTIONS/);
    expect(() => loadConfig({ ISO8583_IDLE_TIMEOUT_MS: '10' })).toThrow(/ISO8583_IDLE_TIMEOUT_MS/);
  });
});
