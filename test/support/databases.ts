// Empty databases for store-level tests: SQLite in memory (or in a temporary file, `onDisk`), or a
// new PostgreSQL schema; close() closes every handle opened on it and removes the file or schema.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DbHandle, type DbOptions } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { backendUrl, createPgSchema, dropPgSchema, type Backend } from './backends.js';

export interface FreshDatabase {
  handle: DbHandle;
  /** Another handle on the same database (a second instance). */
  open(options?: DbOptions): DbHandle;
  close(): Promise<void>;
}

/**
 * `onDisk`: SQLite in a temporary file rather than in memory, so that group commit runs as in
 * production (WAL fsync included) and a second handle can open it.
 */
export async function freshDatabase(backend: Backend, options: DbOptions = {}, o: { onDisk?: boolean } = {}): Promise<FreshDatabase> {
  if (backend === 'sqlite' && !o.onDisk) {
    const handle = openDatabase('sqlite::memory:', options);
    return {
      handle,
      open: () => { throw new Error('an in-memory SQLite database cannot be opened twice'); },
      close: () => handle.close(),
    };
  }
  let url: string;
  let pinned: DbOptions;
  let remove: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'isc-test-'));
    url = `sqlite:${join(dir, 'test.db')}`;
    pinned = {};
    remove = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = await createPgSchema();
    url = backendUrl('postgres')!;
    pinned = { pgSchema: schema };
    remove = () => dropPgSchema(schema);
  }
  const opened: DbHandle[] = [];
  const open = (more: DbOptions = {}) => {
    const h = openDatabase(url, { poolSize: 5, ...options, ...more, ...pinned });
    opened.push(h);
    return h;
  };
  const handle = open();
  return {
    handle, open,
    async close() {
      await Promise.all(opened.map((h) => h.close()));
      await remove();
    },
  };
}

/** A fresh database (above) with the schema migrated: for tests of the store on its real tables. */
export async function openMigratedDatabase(backend: Backend, o: { onDisk?: boolean; poolSize?: number } = {}): Promise<FreshDatabase> {
  const fresh = await freshDatabase(backend, { poolSize: o.poolSize ?? 4 }, { onDisk: o.onDisk });
  await migrate(fresh.handle);
  return fresh;
}

/**
 * The checkpoint sequence number in the header of a SQLite file's WAL: SQLite adds one each time it
 * starts the WAL over (sqlite.org/fileformat2.html, the WAL header).
 */
export function walCheckpointSequence(file: string): number {
  return readFileSync(`${file}-wal`).readUInt32BE(12);
}
