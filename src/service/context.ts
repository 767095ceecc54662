// What every verb is handed: resolved once at start, never read from env during a request.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Keyring } from '../crypto/keyring.js';
import type { DbHandle } from '../store/db.js';
import type { EventBus } from './events.js';

export interface ServiceContext {
  handle: DbHandle;
  keyring: Keyring;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  bankName: string;
  /** scrypt cost (log2 N) of new password hashes; absent: SPEC's (crypto/password.ts). Only tests lower it. */
  passwordScryptLog2N?: number;
  /** Banking sessions end after this long without a request (default IDLE_TIMEOUT_MS, sessions.ts). */
  sessionIdleTimeoutMs?: number;
}

/** Who did it, for the audit log. */
export interface Actor {
  type: 'cardholder' | 'staff' | 'network' | 'system';
  id: string;
  ip?: string | null;
}
