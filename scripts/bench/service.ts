// Runs a server as a child process (the real service, or the bare hono baseline) and watches it:
// time to ready, peak RSS (VmHWM), /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Secrets } from '../../src/config.js';

export interface Child { proc: ChildProcess; readyMs: number; selfReported?: { readyMs: number; sinceProcessStartMs: number }; url: string }

export async function startChild(script: string, args: string[], env: Record<string, string>, port: number, readyLine: (line: string) => Child['selfReported'] | boolean): Promise<Child> {
  const started = performance.now();
  // BENCH_CHILD_NODE_ARGS (e.g. "--cpu-prof") profiles the server under load.
  const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // TypeScript (the bare baseline) through tsx; the bundled service as `npm start` runs it.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps'];
  const proc = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // A bench that fails or is stopped half-way leaves no server running behind it.
  const stopWithUs = () => proc.kill();
  process.once('exit', stopWithUs);
  proc.once('exit', () => process.off('exit', stopWithUs));
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += String(d); });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer) => {
      buffer += String(d);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const r = readyLine(line);
        if (r === false) continue;
        resolve({ proc, readyMs: performance.now() - started, selfReported: typeof r === 'object' ? r : undefined, url: `http://127.0.0.1:${port}` });
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        return;
      }
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`${script} exited (${code}) before ready: ${stderr.slice(-2000)}`)));
  });
}

/**
 * The service as `npm start` runs it (the bundle, built beforehand by scripts/build.mjs), in
 * production mode on `databaseUrl`; `env` is added to (and may override) the settings below.
 */
export function startService(o: {
  port: number; databaseUrl: string; secrets: Secrets; sync: 'FULL' | 'NORMAL'; env?: Record<string, string>;
  /** Another build's bundle (another checkout's dist/main.mjs), to compare two versions of the code. */
  script?: string;
}): Promise<Child> {
  const env = {
    NODE_ENV: 'production', PORT: String(o.port), HOST: '127.0.0.1', DATABASE_URL: o.databaseUrl, DEMO: '0',
    LOG_LEVEL: 'info', SQLITE_SYNCHRONOUS: o.sync, HOLD_EXPIRY_INTERVAL_MS: '600000', ISO8583_PORT: '0',
    ADMIN_API_KEY: o.secrets.adminApiKey, NETWORK_KEY_ID: o.secrets.networkKeyId, NETWORK_SECRET: o.secrets.networkSecret,
    MASTER_KEY: o.secrets.masterKey.toString('hex'),
    // As `npm start` sets it: two malloc arenas, not one per thread (the authorization worker,
    // the checkpointer and the fsync threads each grew their own), ~12 MB less RSS.
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    ...o.env,
  };
  return startChild(o.script ?? 'dist/main.mjs', [], env, o.port, (line) => {
    try {
      const j = JSON.parse(line);
      return j.msg === 'ready' ? { readyMs: Number(j.readyMs), sinceProcessStartMs: Number(j.sinceProcessStartMs) } : false;
    } catch { return false; }
  });
}

/**
 * Waits until the service has read its database file into the page cache (db_prewarm_done in
 * /metrics; at once when it reads nothing ahead). Seconds waited and bytes read.
 */
export async function waitForPrewarm(url: string, timeoutMs = 180_000): Promise<{ seconds: number; mb: number }> {
  const started = performance.now();
  for (;;) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const done = /^db_prewarm_done (\S+)$/m.exec(metrics)?.[1];
    const bytes = Number(/^db_prewarm_bytes (\S+)$/m.exec(metrics)?.[1] ?? 0);
    if (done === undefined || done === '1') return { seconds: (performance.now() - started) / 1000, mb: bytes / 2 ** 20 };
    if (performance.now() - started > timeoutMs) throw new Error(`the service was still reading its database file ahead after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function stopChild(child: Child): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null) return resolve(child.proc.exitCode);
    child.proc.once('exit', (code) => resolve(code));
    child.proc.kill('SIGTERM');
  });
}

/** Peak resident set size of a running process, in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Bytes a running process has had read from storage so far (page-cache misses, not cache hits). */
export function diskReadBytes(pid: number): number {
  const m = /^read_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** CPU time (user + system, all threads) a running process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15) in clock ticks
}

/** A Prometheus histogram's count and sum over all its label sets, from the text format. */
export function histogramTotals(metrics: string, name: string): { count: number; sum: number } {
  const total = (suffix: string) => [...metrics.matchAll(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((t, m) => t + Number(m[1]), 0);
  return { count: total('count'), sum: total('sum') };
}

/** The mean of a histogram's observations (all label sets); NaN when it has none. */
export function histogramMean(metrics: string, name: string): number {
  const { count, sum } = histogramTotals(metrics, name);
  return count > 0 ? sum / count : NaN;
}

/** What a histogram observed between two scrapes: count and sum. */
export function histogramDelta(before: string, after: string, name: string): { count: number; sum: number } {
  const [a, b] = [histogramTotals(before, name), histogramTotals(after, name)];
  return { count: b.count - a.count, sum: b.sum - a.sum };
}
