// Which database backends the suite runs on. SQLite always; PostgreSQL when TEST_DATABASE_URL is
// set. In CI (CI=true) a configured but unreachable PostgreSQL fails the run instead of skipping.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

export type Backend = 'sqlite' | 'postgres';

export function backendUrl(backend: Backend): string | undefined {
  return backend === 'postgres' ? process.env.TEST_DATABASE_URL : 'sqlite::memory:';
}

export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Test schemas are named t_<run>_<random>, <run> being the run's start time in base-36 ms (set by
 * global-setup.ts): the run's teardown drops whatever its files left behind, and any run's
 * setup drops schemas of runs older than STALE_SCHEMA_MS (a run that was killed).
 */
export const TEST_SCHEMA_PATTERN = /^t_([0-9a-z]{8,9})_[0-9a-f]{12}$/;
export const STALE_SCHEMA_MS = 3 * 60 * 60 * 1000;

export function testRunId(): string {
  return process.env.TEST_RUN_ID ?? Date.now().toString(36);
}

export async function createPgSchema(url = process.env.TEST_DATABASE_URL): Promise<string> {
  const schema = `t_${testRunId()}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try { await client.query(`create schema ${schema}`); } finally { await client.end(); }
  return schema;
}

export async function dropPgSchema(schema: string, url = process.env.TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try { await client.query(`drop schema if exists ${schema} cascade`); } finally { await client.end(); }
}

/** Drops this run's schemas (all of them when `runId` is given) and those of runs long gone. */
export async function dropLeftoverPgSchemas(url: string, runId?: string, nowMs = Date.now()): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 't\\_%'`)).rows;
    const doomed = rows.map((r) => r.name).filter((name) => {
      const run = TEST_SCHEMA_PATTERN.exec(name)?.[1];
      return run !== undefined && (run === runId || nowMs - parseInt(run, 36) > STALE_SCHEMA_MS);
    });
    for (const name of doomed) await client.query(`drop schema if exists ${name} cascade`);
    return doomed;
  } finally {
    await client.end();
  }
}

/**
 * Runs a suite once per backend: `forEachBackend((backend) => { ... Harness.create({ backend }) ... })`.
 * Every test file that touches the database uses this, so the whole suite runs on both backends.
 */
export function forEachBackend(suite: (backend: Backend) => void): void {
  describe.each(backends())('%s', suite);
}
