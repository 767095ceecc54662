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

export async function createPgSchema(): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try { await client.query(`create schema ${schema}`); } finally { await client.end(); }
  return schema;
}

export async function dropPgSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try { await client.query(`drop schema if exists ${schema} cascade`); } finally { await client.end(); }
}

/**
 * Runs a suite once per backend: `forEachBackend((backend) => { ... Harness.create({ backend }) ... })`.
 * Every test file that touches the database uses this, so the whole suite runs on both backends.
 */
export function forEachBackend(suite: (backend: Backend) => void): void {
  describe.each(backends())('%s', suite);
}
