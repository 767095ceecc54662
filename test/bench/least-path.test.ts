// scripts/bench/least-path.ts measures the least an authorization that keeps SPEC's promises could
// cost, against baseline (b). Its figure means something only if the path did the work: a short
// run of the real script, checking what it wrote.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('writes an authorization, an audit entry and (when approved) a pending transfer per request, on an intact chain', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bench/least-path.ts', '--rounds', '1', '--seconds', '0.3', '--cards', '2000'],
    { timeout: 60_000 });
  expect(stdout).toMatch(/^round 1: baseline \(b\) \d+ tx\/s, least path \d+ auth\/s, ratio \d+\.\d{3}$/m);
  const wrote = /least path wrote: (\d+) requests, (\d+) authorizations \((\d+) approved\), (\d+) pending transfers, (\d+) audit entries, chain (\w+)/.exec(stdout);
  expect(wrote, stdout).not.toBeNull();
  const [requests, authorizations, approved, transfers, audit] = wrote!.slice(1, 6).map(Number);
  expect(requests).toBeGreaterThan(100);
  expect(authorizations).toBe(requests);
  expect(audit).toBe(requests);
  expect(transfers).toBe(approved);
  // 80 % approvable, 15 % at a physical terminal, 5 % over the limit (the first approved with the exceed).
  expect(approved / requests!).toBeGreaterThan(0.75);
  expect(approved / requests!).toBeLessThan(0.9);
  expect(wrote![6]).toBe('intact');
  const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(last.leastPathRatio).toBeGreaterThan(0);
  expect(last.rounds).toBe(1);
}, 90_000);
