// Hono environment shared by every route: the per-request variables middleware sets.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { StaffKeyHolder } from '../service/admin/find-staff-key.js';
import type { ServiceContext } from '../service/context.js';
import type { EventRelay } from '../service/pg-events.js';
import type { Metrics } from './ops/metrics.js';
import type { AuthorizationWorker } from '../runtime/authorization-worker.js';
import type { Reports } from '../runtime/report-thread.js';

/** The staff key a request presents (or the bootstrap admin key). */
export type StaffIdentity = StaffKeyHolder;

export interface AppVariables {
  requestId: string;
  networkClient: string;
  customerId: string;
  sessionId: string;
  staff: StaffIdentity;
  language: 'en' | 'ar';
}

export type AppEnv = { Variables: AppVariables };
export type App = OpenAPIHono<AppEnv>;

export interface AppDeps extends ServiceContext {
  config: Config;
  adminApiKey: string;
  /** The bootstrap network client (NETWORK_KEY_ID / NETWORK_SECRET). */
  network: { keyId: string; secret: string };
  /** Demo mode only: the client the demo shop and terminals sign with, bound to the demo acquirer id (server-side only). */
  demoNetwork?: { keyId: string; secret: string };
  metrics?: Metrics;
  /** The LISTEN/NOTIFY relay to other instances (PostgreSQL only); stopped when the handle closes. */
  eventRelay?: EventRelay;
  /** Reports that read a whole table, on a thread of their own where the database allows (report-thread.ts). */
  reports: Reports;
  /** Runs network authorizations on a worker thread (SQLite on disk, main.ts). */
  authorizationWorker?: AuthorizationWorker;
}
