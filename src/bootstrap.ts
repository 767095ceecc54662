// Builds everything the app needs from configuration: database (migrated), keys, product,
// the bootstrap network client. Used by main.ts, the scripts and the tests alike.
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config, Secrets } from './config.js';
import { ensureDataKeys, loadKeyring } from './crypto/keyring.js';
import type { AppDeps } from './http/env.js';
import { Metrics } from './http/ops/metrics.js';
import { defaultProduct } from './domain/product.js';
import { ensureBootstrapClient } from './service/admin/network-clients.js';
import { ensureDemoNetworkClient, retireDemoNetworkClient } from './demo.js';
import { LocalEventBus, type EventBus } from './service/events.js';
import { startPgEventRelay } from './service/pg-events.js';
import { openDatabase, type DbHandle, type DbOptions } from './store/db.js';
import { migrate } from './store/migrate.js';
import { withStartupLock } from './store/startup-lock.js';
import { insertProductIfMissing } from './store/products.repository.js';
import { Reports } from './runtime/report-thread.js';
import { configurePgGroupCommit } from './runtime/pg-group-commit.js';
import { authorizationReadAhead } from './store/authorization-reads.repository.js';
import { entryBeside } from './runtime/new-worker.js';

export interface StartOptions {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  clock?: Clock;
  events?: EventBus;
  dbOptions?: DbOptions;
  /** An already open database (tests). */
  handle?: DbHandle;
  metrics?: boolean;
}

export async function startServices(o: StartOptions): Promise<AppDeps> {
  const clock = o.clock ?? systemClock;
  const handle = o.handle ?? openDatabase(o.config.databaseUrl, {
    pgSchema: o.config.pgSchema,
    poolSize: o.config.pgPoolSize,
    pgNamedStatements: o.config.pgNamedStatements,
    statementTimeoutMs: o.config.pgStatementTimeoutMs,
    connectTimeoutMs: o.config.pgConnectTimeoutMs,
    onPoolError: (error) => o.logger.warn({ err: error }, 'idle PostgreSQL connection failed; the pool dropped it'),
    sqliteSynchronous: o.config.sqliteSynchronous,
    sqliteCacheMb: o.config.sqliteCacheMb,
    sqliteCheckpointNice: o.config.sqliteCheckpointNice,
    // The authorization worker's connection appends where this one's group commit cannot hold it:
    // there the backstop restarts the WAL (store/db.ts).
    sqliteWalRestartPages: o.config.authorizationThread === 'worker' ? 0 : o.config.sqliteWalRestartPages,
    // The WAL grows while checkpoints fail; SQLite's messages name files, never data.
    onCheckpointError: (message, failures) => o.logger.error({ job: 'checkpoint', failures }, `WAL checkpoint failed: ${message}`),
    ...o.dbOptions,
  });
  if (handle.dialect === 'postgres') configurePgGroupCommit(handle, o.config.pgGroupCommit, { readAhead: authorizationReadAhead });
  const events = o.events ?? new LocalEventBus();
  // Instances starting together against one PostgreSQL database take turns here (startup-lock.ts).
  const deps = await withStartupLock(handle, async () => {
    await migrate(handle, clock.now());
    await ensureDataKeys(handle.db, o.secrets.masterKey, clock.now());
    const keyring = await loadKeyring(handle.db, o.secrets.masterKey);
    await insertProductIfMissing(handle.db, defaultProduct(o.config.cardBin), clock.now());
    const started: AppDeps = {
      handle, keyring, clock, logger: o.logger, bankName: o.config.bankName, events,
      passwordScryptLog2N: o.config.passwordScryptLog2N,
      sessionIdleTimeoutMs: o.config.sessionIdleTimeoutMs,
      config: o.config,
      adminApiKey: o.secrets.adminApiKey,
      network: { keyId: o.secrets.networkKeyId, secret: o.secrets.networkSecret },
      metrics: o.metrics === false ? undefined : new Metrics(handle),
      // Beside this module: the bundle's dist/report-thread-main.mjs, or the source under tsx.
      reports: new Reports(handle, entryBeside('report-thread-main', import.meta.url), { nice: o.config.reportThreadNice }),
    };
    await ensureBootstrapClient(started, o.secrets.networkKeyId, o.secrets.networkSecret);
    if (o.config.demo) started.demoNetwork = await ensureDemoNetworkClient(started);
    else await retireDemoNetworkClient(started);
    return started;
  });
  // Closing the database is how every caller (main, scripts, test servers) shuts down: the report
  // thread's connection goes with it.
  const closeWithReports = handle.close.bind(handle);
  handle.close = async () => { await deps.reports.stop(); await closeWithReports(); };
  // On PostgreSQL, events reach cardholders connected to other instances (pg-events.ts).
  if (handle.dialect === 'postgres' && events instanceof LocalEventBus) {
    const relay = await startPgEventRelay(handle, events, o.logger);
    deps.eventRelay = relay;
    // Closing the database is how every caller (main, scripts, test servers) shuts down: the
    // relay's own connection goes with it.
    const closeDatabase = handle.close.bind(handle);
    handle.close = async () => { await relay.stop(); await closeDatabase(); };
  }
  return deps;
}
