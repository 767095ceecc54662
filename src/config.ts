// Reads and validates the environment once, at start. Nothing else reads process.env.
import { totalmem } from 'node:os';
import { z } from 'zod';
import { PASSWORD_SCRYPT_LOG2N } from './crypto/password.js';

const hex32OrBase64 = z.string().refine((v) => decodeKey(v) !== null, {
  message: 'must be 32 bytes, as 64 hex characters or base64',
});

const EnvSchema = z.object({
  // Anything but "production" is a development-like environment (test, ci, staging…).
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().default('sqlite:./data/cards.db'),
  ADMIN_API_KEY: z.string().min(1).optional(),
  NETWORK_KEY_ID: z.string().min(1).optional(),
  NETWORK_SECRET: z.string().min(1).optional(),
  MASTER_KEY: hex32OrBase64.optional(),
  CARD_BIN: z.string().regex(/^\d{6,8}$/, 'must be 6 to 8 digits').default('465781'),
  // Seeds the demo customer and serves the /demo pages, in development only (see demo below).
  DEMO: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BANK_NAME: z.string().optional(),
  // The bank's name as customers read it, in each language of the pages (BANK_NAME is the older
  // single-language setting and still names the English one when BANK_NAME_EN is not set).
  BANK_NAME_EN: z.string().min(1).optional(),
  BANK_NAME_AR: z.string().min(1).default('بنك التسوق عبر الإنترنت'),
  // Where a customer calls day and night about a lost or stolen card.
  SUPPORT_PHONE: z.string().regex(/^\+?[0-9 ()-]{3,24}$/, 'must be a phone number').default('+965 1800 247'),
  // A banking session ends after this long without a request (the pages warn two minutes before).
  SESSION_IDLE_TIMEOUT_MS: z.coerce.number().int().min(180_000).max(24 * 60 * 60_000).default(15 * 60_000),
  PG_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier').optional(),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  // How long opening a PostgreSQL connection may take before the request is answered 91 / 503 (0: forever).
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(1000),
  // `0`: the hot path's SQL runs unnamed, parsed on every run (for a transaction-mode PgBouncer older
  // than 1.21 or with max_prepared_statements = 0, which cannot keep named statements;
  // src/runtime/pg-named-statements.ts).
  PG_NAMED_STATEMENTS: z.enum(['0', '1']).default('1'),
  // `0`: each network request in a PostgreSQL transaction of its own, instead of the requests that
  // arrive together sharing one transaction and one commit (src/runtime/pg-group-commit.ts).
  PG_GROUP_COMMIT: z.enum(['0', '1']).default('1'),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  SQLITE_CACHE_MB: z.coerce.number().int().min(2).max(65_536).default(32),
  // How many steps the WAL checkpoint thread's nice value is raised above the process's, on Linux
  // (0: the process's own priority; see src/runtime/checkpointer.ts).
  SQLITE_CHECKPOINT_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // The same for the report thread (ledger check, audit head: src/runtime/report-thread.ts).
  REPORT_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // WAL size in pages (4 KiB) at which the group commit is held for a moment so that the WAL starts
  // over (src/runtime/checkpointer.ts): larger, rarer holds and a larger WAL file. 0: never held (the
  // main connection's own checkpoint at 16,000 pages restarts it, on the event loop).
  SQLITE_WAL_RESTART_PAGES: z.coerce.number().int().max(1_000_000).refine((n) => n === 0 || n >= 100, 'must be 0 (off) or at least 100').default(24_000),
  // At start, read the SQLite file into the OS page cache, at most this many MiB (0: off). Default:
  // half the memory the process may use (the cgroup's limit in a container), so that the read
  // leaves room for the rest of what the machine caches (src/runtime/prewarm.ts).
  SQLITE_PREWARM_MB: z.coerce.number().int().min(0).max(1_048_576).optional(),
  // SQLite on disk: `worker` runs network authorizations on a worker thread with a connection of
  // their own (docs/decisions/0051-authorizations-on-a-worker-thread.md: no faster on this 2-core machine, hence off by default).
  AUTHORIZATION_THREAD: z.enum(['worker', 'main']).default('main'),
  SLOW_REQUEST_MS: z.coerce.number().int().min(0).default(250),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  HOLD_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(0).default(60000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  AUDIT_HEAD_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
  RATE_LIMIT_LOGIN_PER_MIN: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_ADMIN_PER_MIN: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_SENSITIVE_PER_MIN: z.coerce.number().int().min(1).default(30),
  // Test suites only (refused unless NODE_ENV=test): a lower scrypt cost (log2 N) for the
  // passwords they set, since each customer costs a hash and each sign-in a verification.
  TEST_PASSWORD_SCRYPT_LOG2N: z.coerce.number().int().min(10).max(PASSWORD_SCRYPT_LOG2N).optional(),
  // The ISO 8583 listener (SPEC §10, src/iso8583/server.ts); 0 turns it off.
  ISO8583_PORT: z.coerce.number().int().min(0).max(65535).default(8583),
  ISO8583_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(64),
  // Silence after which a signed-on connection is sent an echo (and, silent again, closed).
  ISO8583_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
});

/** The machine's memory, or less when a cgroup limits this process (0 from node means no limit). */
function usableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(limit, totalmem()) : totalmem();
}

export interface Secrets {
  adminApiKey: string;
  networkKeyId: string;
  networkSecret: string;
  masterKey: Buffer;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  cardBin: string;
  demo: boolean;
  logLevel: string;
  bankName: string;
  /** The bank's name on the pages, per language (bankName is the English one). */
  bankNames: { en: string; ar: string };
  supportPhone: string;
  sessionIdleTimeoutMs: number;
  /** PostgreSQL schema to work in (search_path); created by the first migration if missing. */
  pgSchema?: string;
  pgPoolSize: number;
  /** PostgreSQL: the hot path's SQL as named statements, parsed once per connection. */
  pgNamedStatements: boolean;
  /** Network requests that arrive together share one PostgreSQL transaction (PG_GROUP_COMMIT). */
  pgGroupCommit: boolean;
  pgStatementTimeoutMs: number;
  /** How long opening a PostgreSQL connection may take before the request fails as "database unavailable". */
  pgConnectTimeoutMs: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  sqliteCacheMb: number;
  sqliteCheckpointNice: number;
  reportThreadNice: number;
  sqliteWalRestartPages: number;
  /** MiB of the SQLite file read into the OS page cache after start (0: none). */
  sqlitePrewarmMb: number;
  authorizationThread: 'worker' | 'main';
  slowRequestMs: number;
  shutdownGraceMs: number;
  holdExpiryIntervalMs: number;
  /** Slow clients are cut off (slowloris): all headers within headersTimeoutMs, the whole request within requestTimeoutMs. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** How often the server logs the audit head hash (0: never). */
  auditHeadIntervalMs: number;
  rateLimits: { loginPerMinute: number; adminPerMinute: number; sensitivePerMinute: number };
  /** scrypt cost (log2 N) of new password hashes: SPEC's 17, lower only under NODE_ENV=test. */
  passwordScryptLog2N: number;
  /** The ISO 8583 listener; port 0 = off. */
  iso8583: { port: number; maxConnections: number; idleTimeoutMs: number };
  /** Keys given in the environment; missing ones are generated in development (see dev-keys.ts). */
  given: Partial<Secrets>;
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const env = e.NODE_ENV === 'production' ? 'production' : e.NODE_ENV === 'test' ? 'test' : 'development';
  if (env === 'production') {
    const weak = [
      e.ADMIN_API_KEY && e.ADMIN_API_KEY.length < 16 && 'ADMIN_API_KEY',
      e.NETWORK_SECRET && e.NETWORK_SECRET.length < 16 && 'NETWORK_SECRET',
    ].filter(Boolean);
    if (weak.length) throw new ConfigError(`Invalid configuration:\n  ${weak.join(', ')}: must be at least 16 characters in production`);
  }
  if (e.TEST_PASSWORD_SCRYPT_LOG2N !== undefined && env !== 'test') {
    throw new ConfigError('Invalid configuration:\n  TEST_PASSWORD_SCRYPT_LOG2N: only allowed with NODE_ENV=test');
  }
  // Demo mode (the /demo pages, a seeded customer) only where NODE_ENV is unset or `development`
  // (SPEC §8): `production`, `staging`, `test`… keep it off whatever DEMO says. DEMO=0 (or false,
  // no, off) turns it off there too.
  const demo = e.NODE_ENV === 'development' && !['0', 'false', 'no', 'off'].includes((e.DEMO ?? '').trim().toLowerCase());
  return {
    env,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    cardBin: e.CARD_BIN,
    demo,
    logLevel: e.LOG_LEVEL,
    bankName: e.BANK_NAME_EN ?? e.BANK_NAME ?? 'Internet Shopping Bank',
    bankNames: { en: e.BANK_NAME_EN ?? e.BANK_NAME ?? 'Internet Shopping Bank', ar: e.BANK_NAME_AR },
    supportPhone: e.SUPPORT_PHONE,
    sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT_MS,
    pgSchema: e.PG_SCHEMA,
    pgPoolSize: e.PG_POOL_SIZE,
    pgNamedStatements: e.PG_NAMED_STATEMENTS === '1',
    pgGroupCommit: e.PG_GROUP_COMMIT === '1',
    pgStatementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS,
    pgConnectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    sqliteCacheMb: e.SQLITE_CACHE_MB,
    sqliteCheckpointNice: e.SQLITE_CHECKPOINT_NICE,
    reportThreadNice: e.REPORT_THREAD_NICE,
    sqliteWalRestartPages: e.SQLITE_WAL_RESTART_PAGES,
    sqlitePrewarmMb: e.SQLITE_PREWARM_MB ?? Math.floor(usableMemory() / 2 / 2 ** 20),
    authorizationThread: e.AUTHORIZATION_THREAD,
    slowRequestMs: e.SLOW_REQUEST_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    holdExpiryIntervalMs: e.HOLD_EXPIRY_INTERVAL_MS,
    auditHeadIntervalMs: e.AUDIT_HEAD_INTERVAL_MS,
    http: {
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    rateLimits: {
      loginPerMinute: e.RATE_LIMIT_LOGIN_PER_MIN,
      adminPerMinute: e.RATE_LIMIT_ADMIN_PER_MIN,
      sensitivePerMinute: e.RATE_LIMIT_SENSITIVE_PER_MIN,
    },
    passwordScryptLog2N: e.TEST_PASSWORD_SCRYPT_LOG2N ?? PASSWORD_SCRYPT_LOG2N,
    iso8583: { port: e.ISO8583_PORT, maxConnections: e.ISO8583_MAX_CONNECTIONS, idleTimeoutMs: e.ISO8583_IDLE_TIMEOUT_MS },
    given: {
      adminApiKey: e.ADMIN_API_KEY,
      networkKeyId: e.NETWORK_KEY_ID,
      networkSecret: e.NETWORK_SECRET,
      masterKey: e.MASTER_KEY ? decodeKey(e.MASTER_KEY)! : undefined,
    },
  };
}

export function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : null;
}
