// `npm run bench -- --iso` drives the same service over ISO 8583 (persistent, pipelined
// connections) and over HTTP, beside a bare TCP echo server, then the engine in process (no
// transport) at the same depth, and reports all four with isoRatio in its last line. A short run
// of the real script, every server a real process; no figure is asserted beyond being there and
// positive (this host's speed is not the test's business).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run bench -- --iso', () => {
  it('reports ISO and HTTP authorizations per second, the echo floor, ISO p99 and isoRatio', async () => {
    const { stdout } = await run(process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--iso', '--quick', '--seconds', '2', '--cards', '500', '--connections', '8', '--iso-connections', '2'],
      { timeout: 80_000, maxBuffer: 16 * 2 ** 20 });
    const lines = stdout.trim().split('\n');
    const r = JSON.parse(lines[lines.length - 1]) as Record<string, number>;
    for (const key of ['isoAuthPerSec', 'httpAuthPerSec', 'echoMsgPerSec', 'engineAuthPerSec', 'isoP99Ms', 'httpP99Ms', 'echoP99Ms',
      'isoCpuUsPerAuth', 'httpCpuUsPerAuth', 'engineCpuUsPerAuth', 'isoBatch', 'httpBatch']) {
      expect(r[key], key).toBeGreaterThan(0);
    }
    // From the unrounded rates: within rounding of the rounded ones.
    expect(r.isoRatio).toBeCloseTo(r.isoAuthPerSec / r.httpAuthPerSec, 2);
    expect(r.isoEngineRatio).toBeCloseTo(r.isoAuthPerSec / r.engineAuthPerSec, 2);
    // The engine runs with as many in flight as either transport.
    expect(r.engineInFlight).toBe(8);
    // 8 in flight over HTTP, so 4 on each of the 2 ISO connections.
    expect({ isoConnections: r.isoConnections, isoDepth: r.isoDepth, httpConnections: r.httpConnections }).toEqual({ isoConnections: 2, isoDepth: 4, httpConnections: 8 });
    // The ISO traffic is the HTTP mix: mostly approvals, and nothing the ISO layer answers as a fault.
    expect(r.isoErrors).toBe(0);
    expect(r.isoApprovedPct).toBeGreaterThan(50);
    expect(r.httpNon2xx).toBe(0);
  }, 90_000);
});
