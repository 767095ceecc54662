// `npm run bench` beside a run with more cards than the reference drives a second service on a
// fresh 10,000-card database in the same alternating slices, and reports the p99 ratio of issue 9's
// point 3 from that one run. A short run of the real script, both services real.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function bench(args: string[]): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--http-only', '--seconds', '2', '--connections', '8', ...args],
    { timeout: 60_000, maxBuffer: 16 * 2 ** 20 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('npm run bench: the 10,000-card reference', () => {
  const temp = mkdtempSync(join(tmpdir(), 'isc-bench-test-'));
  const reuse = join(temp, 'kept'); // created by the bench, as --reuse does
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('runs beside a larger database and reports p99 against it', async () => {
    const r = await bench(['--reuse', reuse, '--cards', '10500']);
    expect(r.referenceCards).toBe(10_000);
    expect(r.authPerSec).toBeGreaterThan(0);
    expect(r.referenceAuthPerSec).toBeGreaterThan(0);
    expect(r.p99Ratio).toBe(Math.round((r.p99Ms / r.referenceP99Ms) * 100) / 100);
  }, 90_000);

  it('follows the card count a kept database was seeded with, not the command line', async () => {
    const again = await bench(['--reuse', reuse]); // no --cards: 10,000 on the command line
    expect(again.referenceCards).toBe(10_000);
    expect(again.referenceP99Ms).toBeGreaterThan(0);
  }, 90_000);

  it('is left out with --reference-cards 0, and not run for the 10,000-card run itself', async () => {
    const none = await bench(['--reuse', reuse, '--reference-cards', '0']);
    expect(none.referenceP99Ms).toBeUndefined();
    const plain = await bench(['--cards', '2000']);
    expect(plain.referenceP99Ms).toBeUndefined();
    expect(plain.authPerSec).toBeGreaterThan(0);
  }, 150_000);
});
