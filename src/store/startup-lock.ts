// Serializes start-up work (migrations, data keys, default product, bootstrap network client)
// across instances that start at the same moment against one PostgreSQL database. Without it, two
// instances starting on an empty database would each create their own data keys and end up with
// different fingerprint keys: one would never find the other's cards.
import pg from 'pg';
import type { DbHandle } from './db.js';

export async function withStartupLock<T>(handle: DbHandle, work: () => Promise<T>): Promise<T> {
  if (handle.dialect !== 'postgres' || !handle.pool) return work();
  // A client of its own, outside the pool: the work needs pool connections while this one waits,
  // and a pool of one connection would otherwise deadlock against itself.
  const client = new pg.Client(handle.pool.options);
  await client.connect();
  try {
    // A migration may take longer than the per-statement timeout the pool is configured with.
    await client.query('set statement_timeout = 0');
    // The key names the schema, so instances on different schemas (tests) never wait on each other.
    const key = `isc:startup:${handle.pgSchema ?? ''}`;
    await client.query('select pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    await client.end();
  }
}
