// Network authorizations on a second thread (SQLite on disk). better-sqlite3 runs every query on the
// thread that owns the connection, so with one connection the whole service — HTTP parsing,
// signatures, validation, the engine, SQLite, the commit — shares one core while the machine's
// other core idles. Here a worker thread owns a second connection to the same database file and
// runs the engine (runNetworkVerb + authorize, group commit included); the main thread keeps HTTP
// and everything else. Requests and answers cross in one message per event-loop turn each way (so
// what a verb's work returns must survive a structured clone: SharedCommitWork, runtime/index.ts).
//
// Both connections write the same file: SQLite serializes them with its write lock (transactions
// begin IMMEDIATE, see db.ts, so neither fails on a stale snapshot), and the audit chain survives
// appends from the other connection (audit-heads.ts). An answer is still sent only after its batch
// is durable. At synchronous=FULL the worker commits and replies at once, and this thread fsyncs the
// WAL before it releases the answers: the fsync starts after the reply arrived, so after the commit,
// and it covers every frame written so far. Were the fsync left to the worker (on its thread pool),
// its completion would be seen only once the worker's next batch had run, and every answer would
// wait one batch longer; done there synchronously, it would stop the engine for every flush
// (docs/decisions/0051-authorizations-on-a-worker-thread.md).
//
// This file is the main thread's side; the worker's side is authorization-worker-thread.ts.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { newWorker } from './new-worker.js';
import { ServiceError, type ErrorCode } from '../service/errors.js';
import type { ServiceContext } from '../service/context.js';
import type { WalFsync, WalSync } from './wal-sync.js';
import type { BatchStats } from './group-commit.js';
import { acquirerNotPermitted, acquirerPermittedNow, assertAcquirerPermitted } from '../service/network/acquirer-scope.js';
import { authorize, type AuthorizeInput, type AuthorizeOutcome } from '../service/network/authorize.js';
import { runNetworkVerb } from './run-network-verb.js';
import { isValidPan } from '../domain/pan.js';
import type { AuthorizationReadHint } from '../store/authorization-reads.repository.js';
import { idempotencyKey } from '../service/network/request-identity.js';

export interface AuthorizationWorkerData {
  databaseUrl: string;
  synchronous: 'FULL' | 'NORMAL';
  cacheMb: number;
  masterKey: Uint8Array;
  bankName: string;
  logLevel: string;
  /** Set by AuthorizationWorker.start: 'caller' when this thread fsyncs the worker's commits. */
  walFsync?: WalFsync;
}

/** An error as it crosses the thread boundary: a ServiceError keeps what its answer needs. */
export type WireError =
  | { service: { code: ErrorCode; message: string; extra: Record<string, unknown>; retryAfterSeconds?: number; status: number } }
  | { message: string; stack?: string; code?: string };

export function toWireError(error: unknown): WireError {
  if (error instanceof ServiceError) {
    return { service: { code: error.code, message: error.message, extra: error.extra, retryAfterSeconds: error.retryAfterSeconds, status: error.status } };
  }
  const e = error as { message?: unknown; stack?: unknown; code?: unknown };
  return { message: String(e?.message ?? error), stack: typeof e?.stack === 'string' ? e.stack : undefined, code: typeof e?.code === 'string' ? e.code : undefined };
}

export function fromWireError(wire: WireError): Error {
  if ('service' in wire) {
    const s = wire.service;
    return new ServiceError(s.code, s.message, s.extra, s.retryAfterSeconds, s.status);
  }
  const error = new Error(wire.message) as Error & { code?: string };
  if (wire.stack) error.stack = wire.stack;
  if (wire.code) error.code = wire.code;
  return error;
}

export type ToWorker =
  | { kind: 'authorize'; jobs: Array<{ id: number; input: AuthorizeInput }> }
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; error: WireError }
  | { kind: 'answers'; answers: Array<{ id: number; outcome?: AuthorizeOutcome; error?: WireError }>; batches: BatchStats[] }
  | { kind: 'log'; line: string }
  | { kind: 'closed' };

// The worker's short-lived objects (requests, rows, answers) die young, and V8's default young
// generation (up to 48 MiB) grows to fill it: 16 MiB gives the same throughput with ~50 MB less RSS,
// which keeps a second isolate inside the 300 MB budget
// (docs/decisions/0051-authorizations-on-a-worker-thread.md).
const WORKER_YOUNG_GENERATION_MB = 16;

/** What AuthorizationWorker.startFor takes from the service. */
export interface ServiceWiring {
  handle: { walSync?: WalSync };
  logger: Logger;
  metrics?: { recordBatch(stats: BatchStats): void; watchAuthorizationWorker(inFlight: () => number): void };
}

interface Waiting { resolve: (o: AuthorizeOutcome) => void; reject: (e: unknown) => void }

export interface WorkerOptions {
  /** The module the worker runs: src/main.ts (or the bundle), which starts the worker's side when not on the main thread. */
  entry: URL;
  data: AuthorizationWorkerData;
  logger: Logger;
  /** Group-commit batches the worker ran (metrics). */
  onBatch?: (stats: BatchStats) => void;
  /**
   * The WAL of this thread's connection to the same file (SQLite at FULL): given, the worker leaves
   * the fsync to this thread, which runs it before releasing each reply's answers.
   */
  walSync?: WalSync;
}

export class AuthorizationWorker {
  private readonly waiting = new Map<number, Waiting>();
  private queue: Array<{ id: number; input: AuthorizeInput }> = [];
  private scheduled = false;
  private nextId = 1;
  private stopped = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker, private readonly o: WorkerOptions) {}

  /** Starts the worker and waits until its connection is open and its keyring loaded. */
  static async start(o: WorkerOptions): Promise<AuthorizationWorker> {
    const data: AuthorizationWorkerData = { ...o.data, walFsync: o.walSync ? 'caller' : 'thread-pool' };
    const worker = newWorker(o.entry, { workerData: { authorizationWorker: data }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const self = new AuthorizationWorker(worker, o);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the authorization worker exited during start-up (code ${code})`));
      worker.once('exit', onExit);
      worker.once('error', reject);
      const onMessage = (m: FromWorker) => {
        if (m.kind === 'log') return self.log(m.line);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', reject);
        if (m.kind === 'ready') resolve();
        else reject(m.kind === 'failed' ? fromWireError(m.error) : new Error(`unexpected ${m.kind} from the authorization worker`));
      };
      worker.on('message', onMessage);
    });
    worker.on('message', (m: FromWorker) => self.receive(m));
    worker.on('error', (error) => o.logger.error({ err: error }, 'authorization worker failed'));
    worker.on('exit', (code) => self.stop(new Error(`the authorization worker stopped (code ${code})`)));
    return self;
  }

  /**
   * Starts the worker for a running service: its log lines go to the service's logger, its batches
   * to /metrics, and (SQLite at FULL) this thread fsyncs its commits with the service's own WalSync.
   */
  static async startFor(service: ServiceWiring, entry: URL, data: AuthorizationWorkerData): Promise<AuthorizationWorker> {
    const worker = await AuthorizationWorker.start({
      entry, data, logger: service.logger,
      onBatch: (stats) => service.metrics?.recordBatch(stats),
      walSync: service.handle.walSync,
    });
    service.metrics?.watchAuthorizationWorker(() => worker.inFlight);
    return worker;
  }

  /** Authorizations handed over and not yet answered (metrics). */
  get inFlight(): number { return this.waiting.size; }

  /** False once the worker has stopped: callers then run the engine on this thread. */
  get running(): boolean { return !this.stopped; }

  authorize(input: AuthorizeInput): Promise<AuthorizeOutcome> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.queue.push({ id, input });
      if (!this.scheduled) {
        this.scheduled = true;
        // Everything read from the sockets in this turn goes over in one message (one batch there).
        setImmediate(() => {
          this.scheduled = false;
          const jobs = this.queue;
          this.queue = [];
          this.worker.postMessage({ kind: 'authorize', jobs } satisfies ToWorker);
        });
      }
    });
  }

  /** Lets the worker finish what it was given, close its connection and exit. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ kind: 'close' } satisfies ToWorker);
      setTimeout(() => void this.worker.terminate(), 5_000).unref();
    });
    return this.closing;
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'log') return this.log(m.line);
    if (m.kind !== 'answers') return;
    for (const stats of m.batches) this.o.onBatch?.(stats);
    const answers = this.claim(m.answers);
    if (!this.o.walSync) return release(answers);
    this.o.walSync.sync().then(
      () => release(answers),
      // Committed but not known to be on disk: nobody may be told it was approved.
      (error) => { for (const { waiting } of answers) waiting.reject(error); },
    );
  }

  /** The callers still waiting for these answers (one that stopped waiting has been rejected). */
  private claim(answers: Extract<FromWorker, { kind: 'answers' }>['answers']): Claimed[] {
    const claimed: Claimed[] = [];
    for (const answer of answers) {
      const waiting = this.waiting.get(answer.id);
      if (!waiting) continue;
      this.waiting.delete(answer.id);
      claimed.push({ waiting, answer });
    }
    return claimed;
  }

  /** A log line of the worker's, written through this thread's logger (its destination and redaction). */
  private log(line: string): void {
    try {
      const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line);
      const method = this.o.logger.levels.labels[level] as 'info';
      this.o.logger[method]?.({ ...fields, thread: 'authorization-worker' }, msg);
    } catch {
      this.o.logger.warn({ line: line.slice(0, 500) }, 'unreadable log line from the authorization worker');
    }
  }

  /** Whatever was not answered fails: a batch that did not report back is not known to be durable. */
  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.closing) this.o.logger.error({ err: reason }, 'authorization worker stopped; authorizing on the main thread');
    for (const waiting of this.waiting.values()) waiting.reject(reason);
    this.waiting.clear();
  }
}

type Claimed = { waiting: Waiting; answer: Extract<FromWorker, { kind: 'answers' }>['answers'][number] };

function release(answers: Claimed[]): void {
  for (const { waiting, answer } of answers) {
    if (answer.outcome) waiting.resolve(answer.outcome);
    else waiting.reject(fromWireError(answer.error ?? { message: 'no answer' }));
  }
}

/** What runs a network authorization: the worker when there is one, else this thread. */
export interface AuthorizationContext extends ServiceContext {
  authorizationWorker?: AuthorizationWorker;
}

export function authorizeNetworkRequest(ctx: AuthorizationContext, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  // Before the engine (and before the worker thread): a refused message is not an authorization.
  // The client's access is almost always cached, and then the check adds no promise to the path.
  const permitted = acquirerPermittedNow(ctx, input.networkClient, input.request.acquirerId);
  if (permitted === false) return Promise.reject(acquirerNotPermitted());
  if (permitted === undefined) return assertAcquirerPermitted(ctx, input.networkClient, input.request.acquirerId).then(() => runAuthorization(ctx, input));
  return runAuthorization(ctx, input);
}

function runAuthorization(ctx: AuthorizationContext, input: AuthorizeInput): Promise<AuthorizeOutcome> {
  const worker = ctx.authorizationWorker;
  if (worker?.running) return worker.authorize(input);
  const hint = readHint(ctx, input);
  const hinted = hint ? { ...input, readHint: hint } : input;
  return runNetworkVerb(ctx, (trx) => authorize(trx, ctx, hinted), input.request.pan, hint);
}

/**
 * What the authorization will read, for a PostgreSQL batch's read ahead. A PAN that cannot be a card
 * has no card to read (fingerprint null), and its authorization changes no account: it still comes
 * with a hint, so that it does not count as a unit of another kind.
 */
function readHint(ctx: AuthorizationContext, input: AuthorizeInput): AuthorizationReadHint | undefined {
  if (ctx.handle.dialect !== 'postgres') return undefined;
  const key = idempotencyKey(input.networkClient, input.request);
  return { key, fingerprint: isValidPan(input.request.pan) ? ctx.keyring.fingerprint(input.request.pan) : null };
}
