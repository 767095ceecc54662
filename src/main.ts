// Starts the service: validate configuration, open and migrate the database, serve HTTP.
import { serve } from '@hono/node-server';
import { AuthorizationWorker } from './runtime/authorization-worker.js';
import { entryBeside } from './runtime/new-worker.js';
import { loadConfig, ConfigError, type Config } from './config.js';
import { startServices } from './bootstrap.js';
import { DEMO_PASSWORD, DEMO_USERNAME, seedDemoCustomer } from './demo.js';
import { dataDirFor, resolveSecrets } from './dev-keys.js';
import { createApp } from './http/app.js';
import { withAuthorizationFastPath } from './http/network/authorization-fast-path.js';
import { startIsoServer } from './iso8583/server.js';
import { createLogger } from './logger.js';
import { startBackgroundJobs } from './jobs.js';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  const { secrets, generatedNow, file } = resolveSecrets(config, dataDirFor(config));
  const deps = await startServices({ config, secrets, logger });
  const seeded = config.demo ? await seedDemoCustomer(deps) : false;
  if (usesAuthorizationWorker(config)) {
    deps.authorizationWorker = await AuthorizationWorker.startFor(
      deps,
      // Beside this module: the bundle's dist/authorization-worker-main.mjs, or the source under tsx.
      entryBeside('authorization-worker-main', import.meta.url),
      {
        databaseUrl: config.databaseUrl, synchronous: config.sqliteSynchronous, cacheMb: config.sqliteCacheMb,
        masterKey: secrets.masterKey, bankName: config.bankName, logLevel: config.logLevel,
      },
    );
    logger.info('network authorizations run on a worker thread (AUTHORIZATION_THREAD=worker)');
  }
  const app = createApp(deps);
  const jobs = startBackgroundJobs(deps);
  const { createServer } = await withAuthorizationFastPath(deps);
  const iso = config.iso8583.port === 0 ? undefined : await startIsoServer(deps, {
    port: config.iso8583.port, host: config.host,
    maxConnections: config.iso8583.maxConnections, idleTimeoutMs: config.iso8583.idleTimeoutMs,
  });
  if (iso) logger.info({ port: iso.port }, 'ISO 8583 listening');

  const server = serve({
    fetch: app.fetch, port: config.port, hostname: config.host, createServer,
    // Slow clients (slowloris) are cut off: node checks these every connectionsCheckingInterval.
    serverOptions: {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs),
    },
  }, (info) => {
    const url = `http://localhost:${info.port}`;
    // readyMs: from main() to listening; sinceProcessStartMs: from process start (module loading too).
    logger.info({ port: info.port, database: deps.handle.dialect, readyMs: Math.round(performance.now() - started), sinceProcessStartMs: Math.round(performance.now()) }, 'ready');
    const lines = [
      '',
      `  Internet Shopping Card is running at ${url}`,
      `  API docs: ${url}/docs    health: ${url}/healthz`,
    ];
    if (iso) lines.push(`  ISO 8583: port ${iso.port}`);
    if (config.demo) lines.push(`  Demo login: username "${DEMO_USERNAME}", password "${DEMO_PASSWORD}"${seeded ? ' (just created)' : ''}`);
    if (generatedNow) {
      lines.push(
        '  Development keys were generated (shown this once; kept in ' + file + '):',
        `    ADMIN_API_KEY=${secrets.adminApiKey}`,
        `    NETWORK_KEY_ID=${secrets.networkKeyId}`,
        `    NETWORK_SECRET=${secrets.networkSecret}`,
      );
    } else if (file) {
      lines.push(`  Development keys (admin, network): ${file}`);
    }
    lines.push('');
    process.stdout.write(lines.join('\n') + '\n');
  });

  // SIGTERM: stop accepting, let in-flight requests finish (their group commits included), then
  // close the database and exit 0. Keep-alive connections are closed as soon as they are idle;
  // whatever is still open when SHUTDOWN_GRACE_MS runs out is cut, and the exit code is 1.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const since = performance.now();
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'draining');
    jobs.stop();
    const http = server as import('node:http').Server;
    const idle = setInterval(() => http.closeIdleConnections?.(), 50);
    let forced = false;
    const force = setTimeout(() => {
      forced = true;
      logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over, closing the remaining connections');
      http.closeAllConnections?.();
      setTimeout(() => process.exit(1), 2000).unref();
    }, config.shutdownGraceMs);
    force.unref();
    // ISO 8583 connections: stop reading, answer what is in flight, close (cut with the rest at the grace's end).
    const isoClosed = iso?.close(config.shutdownGraceMs);
    server.close(async () => {
      clearInterval(idle);
      await isoClosed;
      await deps.authorizationWorker?.close();
      await deps.handle.close(); // and the LISTEN/NOTIFY relay with it
      logger.info({ drainMs: Math.round(performance.now() - since), forced }, 'stopped');
      process.exit(forced ? 1 : 0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** AUTHORIZATION_THREAD=worker with SQLite on disk: authorizations run on a worker thread. */
function usesAuthorizationWorker(config: Config): boolean {
  return config.authorizationThread === 'worker' && config.databaseUrl.startsWith('sqlite:') && !config.databaseUrl.endsWith(':memory:');
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
