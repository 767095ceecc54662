// Periodic work inside the server process. Each job is idempotent and safe to run on every
// instance at once.
import type { AppDeps } from './http/env.js';

export interface Jobs { stop(): void }

export function startBackgroundJobs(_deps: AppDeps): Jobs {
  const timers: NodeJS.Timeout[] = [];
  return { stop: () => timers.forEach(clearInterval) };
}
