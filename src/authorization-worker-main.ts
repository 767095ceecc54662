// Entry of the authorization worker thread (src/runtime/authorization-worker.ts): bundled
// on its own (dist/authorization-worker-main.mjs) so the thread loads the engine, not the whole app.
import { runAuthorizationWorker } from './runtime/authorization-worker-thread.js';

void runAuthorizationWorker();
