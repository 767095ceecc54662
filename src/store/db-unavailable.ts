// Which errors mean "the database cannot be reached right now" rather than "this request is wrong":
// the primary died, a failover is under way, the pool found no connection in time. Network
// requests are then answered 91 (issuer unavailable) and the other faces 503, instead of a 500
// that says the service itself is broken.

/** Socket errors of a connection that is gone or never came up. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that cannot serve: class 08 (connection exception), shutdown and start-up
 * (57P01-57P03), no connection slot (53300), a node that is no longer the primary (25006: a write
 * reached a standby while HAProxy had not yet noticed), a statement cut by statement_timeout (57014).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '25006', '57014']);

/** Messages of node-postgres that carry no code. */
const CLIENT_MESSAGES = [
  'Connection terminated',
  // node-postgres' own connect timeout (connectionTimeoutMillis on the client), e.g. HAProxy
  // holding a connection while no node is primary.
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

export class DatabaseUnavailableError extends Error {
  readonly databaseUnavailable = true;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SERVER_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && CLIENT_MESSAGES.some((m) => (e.message as string).includes(m))) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}

/** `work`, or a DatabaseUnavailableError once `ms` have passed without an answer. */
export function withinMs<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`${what}: no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
