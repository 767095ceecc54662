// scripts/bench/ab-code.ts compares an earlier commit with this checkout over HTTP: both built, both
// seeded by their own scripts, both served and driven in the same slices, and the temporary
// checkout of the earlier commit removed afterwards. A short run of the real script.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const worktrees = () => execFileSync('git', ['worktree', 'list', '--porcelain'], { encoding: 'utf8' }).match(/^worktree /gm)?.length ?? 0;

it('serves an earlier commit and this checkout side by side, reports B against A, and leaves no checkout behind', async () => {
  const before = worktrees();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bench/ab-code.ts', 'HEAD', '1', '1', '300'],
    { timeout: 120_000, maxBuffer: 16 * 2 ** 20 });
  const side = (label: string) => new RegExp(`^${label}: (\\d+) auth/s, p50 \\d+ ms, p99 \\d+ ms, \\d+ µs CPU per authorization, non-2xx 0$`, 'm').exec(stdout);
  for (const label of ['A \\(HEAD\\)', 'B \\(this checkout\\)']) {
    const m = side(label);
    expect(m, `${label} in:\n${stdout}`).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
  }
  expect(stdout).toMatch(/^B against A: [+-]\d+\.\d % auth\/s; slice by slice [+-]\d+\.\d % \(B faster in [01] of 1\)$/m);
  expect(worktrees()).toBe(before);
}, 150_000);
