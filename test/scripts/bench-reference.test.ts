// `npm run bench` beside a run with more cards than the reference drives a second service on a
// fresh 10,000-card database in the same alternating slices, and reports the p99 ratio of issue 9's
// point 3 from that one run. A short run of the real script, both services real.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function bench(args: string[]): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--http-only', '--seconds', '2', '--connections', '8', ...args],
    { timeout: 120_000, maxBuffer: 16 * 2 ** 20 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('npm run bench: the 10,000-card reference', () => {
  it('runs beside a larger database and reports p99 against it', async () => {
    const r = await bench(['--cards', '10500']);
    expect(r.referenceCards).toBe(10_000);
    expect(r.authPerSec).toBeGreaterThan(0);
    expect(r.referenceAuthPerSec).toBeGreaterThan(0);
    expect(r.p99Ratio).toBeCloseTo(r.p99Ms / r.referenceP99Ms, 2);
  }, 150_000);

  it('is left out with --reference-cards 0, and not run for the 10,000-card run itself', async () => {
    const none = await bench(['--cards', '10500', '--reference-cards', '0']);
    expect(none.referenceP99Ms).toBeUndefined();
    const plain = await bench(['--cards', '2000']);
    expect(plain.referenceP99Ms).toBeUndefined();
    expect(plain.authPerSec).toBeGreaterThan(0);
  }, 150_000);
});
