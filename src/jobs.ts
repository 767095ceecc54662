// Work in the background of the server process: periodic jobs, each idempotent and safe to run on
// every instance at once, and the one-off read of the SQLite file into the page cache.
import type { AppDeps } from './http/env.js';
import { expireHolds } from './service/holds/expire-holds.js';
import { prewarmFile, sqliteFileOf } from './runtime/prewarm.js';
import { pruneRateLimits } from './store/rate-limits.repository.js';

export interface Jobs { stop(): void }

/** Transactions in flight may still commit entries stamped a little earlier: log the head as of this long ago. */
export const AUDIT_HEAD_LAG_MS = 10_000;

/** Runs `work` every `intervalMs`, never two at once in this process; 0 switches it off. */
function every(deps: AppDeps, name: string, intervalMs: number, work: () => Promise<unknown>): NodeJS.Timeout | null {
  if (intervalMs <= 0) return null;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((err) => deps.logger.error({ err, job: name }, 'background job failed'))
      .finally(() => { running = false; });
  }, intervalMs);
  timer.unref();
  return timer;
}

/** Writes the audit head hash to the log, so a truncated tail is detectable later (SPEC §9). */
export async function logAuditHead(deps: AppDeps): Promise<void> {
  const head = await deps.reports.run({ kind: 'auditHead', asOfMs: deps.clock.now() - AUDIT_HEAD_LAG_MS });
  deps.logger.info({ auditHead: head.headHash, asOf: new Date(head.asOfMs).toISOString(), asOfMs: head.asOfMs, streams: head.streams, entries: head.entries },
    'audit head (check with: npm run audit:verify -- --expect-head <auditHead> --as-of <asOfMs>)');
}

/** Reads the SQLite file into the OS page cache once (SQLITE_PREWARM_MB); stops when `signal` aborts. */
export async function prewarmDatabase(deps: AppDeps, signal?: AbortSignal): Promise<void> {
  const file = sqliteFileOf(deps.handle);
  if (!file || deps.config.sqlitePrewarmMb <= 0) return;
  const progress = deps.metrics?.prewarmStarted();
  let bytes = 0;
  try {
    const r = await prewarmFile(file, { maxBytes: deps.config.sqlitePrewarmMb * 2 ** 20, signal });
    bytes = r.bytes;
    deps.logger.info({ job: 'prewarm', mb: Math.round(r.bytes / 2 ** 20 * 10) / 10, ms: Math.round(r.ms), stopped: r.stopped },
      r.stopped ? 'stopped reading the database file ahead (shutdown)' : 'database file read into the page cache');
  } finally {
    progress?.ended(bytes);
  }
}

export function startBackgroundJobs(deps: AppDeps): Jobs {
  const prewarm = new AbortController();
  prewarmDatabase(deps, prewarm.signal).catch((err) => deps.logger.warn({ err, job: 'prewarm' }, 'could not read the database file ahead'));
  const timers = [
    every(deps, 'hold-expiry', deps.config.holdExpiryIntervalMs, async () => {
      const released = await expireHolds(deps, deps.clock.now());
      if (released > 0) deps.logger.info({ job: 'hold-expiry', released }, 'expired holds released');
    }),
    every(deps, 'audit-head', deps.config.auditHeadIntervalMs, () => logAuditHead(deps)),
    // Another process may have rotated the PAN data key: start encrypting with the new one soon.
    every(deps, 'keyring-reload', 60_000, () => deps.keyring.reload()),
    every(deps, 'rate-limit-prune', 10 * 60_000, () => pruneRateLimits(deps.handle.db, deps.clock.now() - 60 * 60_000)),
  ].filter((t): t is NodeJS.Timeout => t !== null);
  return {
    stop: () => {
      prewarm.abort();
      timers.forEach(clearInterval);
    },
  };
}
