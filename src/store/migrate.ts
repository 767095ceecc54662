// Applies schema.sql to a new database and numbered migrations to an existing one,
// recording each version in schema_migrations.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DbHandle } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { ROOT_URL } from '../root.js';

const SCHEMA_PATH = fileURLToPath(new URL('schema.sql', ROOT_URL));

/** The version a database built from schema.sql is at. */
export const SCHEMA_VERSION = MIGRATIONS.length ? MIGRATIONS[MIGRATIONS.length - 1].version : 1;

export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Brings the database to SCHEMA_VERSION. Not safe to run from two processes at once by itself:
 * callers hold the start-up lock (store/startup-lock.ts), as bootstrap and scripts/migrate.ts do.
 */
export async function migrate(handle: DbHandle, now = Date.now()): Promise<{ version: number; created: boolean }> {
  const { db } = handle;
  if (handle.dialect === 'postgres' && handle.pgSchema) {
    // The name was checked against PG_SCHEMA_PATTERN when the handle was opened.
    await sql.raw(`create schema if not exists ${handle.pgSchema}`).execute(db);
  }
  const exists = await tableExists(handle, 'schema_migrations');
  if (!exists) {
    await db.transaction().execute(async (trx) => {
      for (const statement of splitStatements(readFileSync(SCHEMA_PATH, 'utf8'))) {
        await sql.raw(statement).execute(trx);
      }
      await trx.insertInto('schema_migrations')
        .values({ version: SCHEMA_VERSION, name: 'schema.sql', applied_at: now }).execute();
    });
    return { version: SCHEMA_VERSION, created: true };
  }
  const current = await currentVersion(handle);
  for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
    await db.transaction().execute(async (trx) => {
      const statements = typeof migration.statements === 'function' ? migration.statements(handle.dialect) : migration.statements;
      for (const statement of statements) await sql.raw(statement).execute(trx);
      await trx.insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: now }).execute();
    });
  }
  return { version: await currentVersion(handle), created: false };
}

export async function currentVersion(handle: DbHandle): Promise<number> {
  const row = await handle.db.selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
  return Number(row?.version ?? 0);
}

async function tableExists(handle: DbHandle, table: string): Promise<boolean> {
  if (handle.dialect === 'sqlite') {
    const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(handle.db);
    return Number(r.rows[0].n) > 0;
  }
  const r = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(handle.db);
  return Number(r.rows[0].n) > 0;
}
