// Periodic work inside the server process. Each job is idempotent and safe to run on every
// instance at once.
import type { AppDeps } from './http/env.js';
import { expireHolds } from './service/holds/expire-holds.js';

export interface Jobs { stop(): void }

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

export function startBackgroundJobs(deps: AppDeps): Jobs {
  const timers: NodeJS.Timeout[] = [];
  const holdExpiry = every(deps, 'hold-expiry', deps.config.holdExpiryIntervalMs, async () => {
    const released = await expireHolds(deps, deps.clock.now());
    if (released > 0) deps.logger.info({ job: 'hold-expiry', released }, 'expired holds released');
  });
  if (holdExpiry) timers.push(holdExpiry);
  return { stop: () => timers.forEach(clearInterval) };
}
