// The worker's side of authorization-worker.ts: its own connection to the database file, its own
// keyring (loaded from data_keys with the master key the main thread hands over, reloaded every
// minute as the main thread's is), and the same engine — runNetworkVerb + authorize, group commit
// included. Answers go back once per event-loop turn, with the group-commit batches run meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { loadKeyring } from '../crypto/keyring.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../store/db.js';
import type { ServiceContext } from '../service/context.js';
import { LocalEventBus } from '../service/events.js';
import type { AuthorizeOutcome } from '../service/network/authorize.js';
import {
  authorizeNetworkRequest, toWireError, type AuthorizationWorkerData, type FromWorker, type ToWorker, type WireError,
} from './authorization-worker.js';
import { groupCommitFor, type BatchStats } from './group-commit.js';

const KEYRING_RELOAD_MS = 60_000;

export async function runAuthorizationWorker(): Promise<void> {
  const port = parentPort!;
  const data = (workerData as { authorizationWorker: AuthorizationWorkerData }).authorizationWorker;
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    const logger = createLogger(data.logLevel, { write: (line: string) => post({ kind: 'log', line }) });
    // The main thread's connection runs the background checkpoints; this one keeps the backstop.
    const handle = openDatabase(data.databaseUrl, { sqliteSynchronous: data.synchronous, sqliteCacheMb: data.cacheMb, backgroundCheckpoints: 'elsewhere', walFsync: data.walFsync });
    const keyring = await loadKeyring(handle.db, Buffer.from(data.masterKey));
    // Customers to wake travel back with each outcome; nobody listens on this thread.
    const ctx: ServiceContext = { handle, keyring, clock: systemClock, events: new LocalEventBus(), logger, bankName: data.bankName };
    const reload = setInterval(() => {
      keyring.reload().catch((error) => logger.warn({ err: error }, 'keyring reload failed'));
    }, KEYRING_RELOAD_MS);

    let answers: Array<{ id: number; outcome?: AuthorizeOutcome; error?: WireError }> = [];
    let batches: BatchStats[] = [];
    let scheduled = false;
    const flush = () => {
      if (!answers.length && !batches.length) return;
      post({ kind: 'answers', answers, batches });
      answers = [];
      batches = [];
    };
    const flushSoon = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => { scheduled = false; flush(); });
    };
    groupCommitFor(handle).observe((stats) => { batches.push(stats); });

    let inFlight = 0;
    let closing = false;
    const closeWhenIdle = async () => {
      if (!closing || inFlight > 0) return;
      flush();
      clearInterval(reload);
      await handle.close();
      post({ kind: 'closed' });
      port.close();
    };

    port.on('message', (m: ToWorker) => {
      if (m.kind === 'close') {
        closing = true;
        void closeWhenIdle();
        return;
      }
      for (const job of m.jobs) {
        inFlight++;
        // This thread's context has no worker: the engine runs here, on this connection.
        authorizeNetworkRequest(ctx, job.input).then(
          (outcome) => answers.push({ id: job.id, outcome }),
          (error) => answers.push({ id: job.id, error: toWireError(error) }),
        ).finally(() => {
          inFlight--;
          flushSoon();
          void closeWhenIdle();
        });
      }
    });
    post({ kind: 'ready' });
  } catch (error) {
    post({ kind: 'failed', error: toWireError(error) });
    port.close();
  }
}
