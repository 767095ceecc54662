// Empty databases for store-level tests: in-memory SQLite, or a new PostgreSQL schema that
// close() drops again.
import { openDatabase, type DbHandle, type DbOptions } from '../../src/store/db.js';
import { backendUrl, createPgSchema, dropPgSchema, type Backend } from './backends.js';

export interface FreshDatabase {
  handle: DbHandle;
  /** Another handle on the same database (a second instance). */
  open(options?: DbOptions): DbHandle;
  close(): Promise<void>;
}

export async function freshDatabase(backend: Backend, options: DbOptions = {}): Promise<FreshDatabase> {
  if (backend === 'sqlite') {
    const handle = openDatabase('sqlite::memory:', options);
    return {
      handle,
      open: () => { throw new Error('an in-memory SQLite database cannot be opened twice'); },
      close: () => handle.close(),
    };
  }
  const schema = await createPgSchema();
  const url = backendUrl('postgres')!;
  const opened: DbHandle[] = [];
  const open = (more: DbOptions = {}) => {
    const h = openDatabase(url, { poolSize: 5, ...options, ...more, pgSchema: schema });
    opened.push(h);
    return h;
  };
  const handle = open();
  return {
    handle, open,
    async close() {
      await Promise.all(opened.map((h) => h.close()));
      await dropPgSchema(schema);
    },
  };
}
