// Runs once before the workers start: checks that a configured PostgreSQL is reachable.
// In CI (CI=true) an unreachable one fails the run; on a laptop the PostgreSQL half is skipped
// with one clear line.
import pg from 'pg';
import { dropLeftoverPgSchemas } from './backends.js';

export default async function setup() {
  // Names this run's PostgreSQL schemas (backends.ts); workers inherit the environment.
  const runId = Date.now().toString(36);
  process.env.TEST_RUN_ID = runId;
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    console.log('[tests] TEST_DATABASE_URL not set: running on SQLite only');
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    await dropLeftoverPgSchemas(url);
  } catch (error) {
    const message = `[tests] PostgreSQL at TEST_DATABASE_URL is unreachable (${(error as Error).message})`;
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message}: failing, since CI=true`);
    console.log(`${message}: running on SQLite only`);
    delete process.env.TEST_DATABASE_URL;
    return;
  } finally {
    await client.end().catch(() => {});
  }
  // Every file drops its own schemas; this catches what a crashed file left behind.
  return async function teardown() {
    const left = await dropLeftoverPgSchemas(url, runId);
    if (left.length) console.log(`[tests] dropped ${left.length} PostgreSQL schema(s) left behind by this run`);
  };
}
