// Creates or upgrades the database named by DATABASE_URL (and PG_SCHEMA), then exits:
//   DATABASE_URL=postgres://user@host:5432/cards npm run migrate
// Safe while instances are running or starting: it takes the same start-up lock they do.
import { loadConfig, ConfigError } from '../src/config.js';
import { openDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { withStartupLock } from '../src/store/startup-lock.js';

async function main() {
  const config = loadConfig();
  const handle = openDatabase(config.databaseUrl, {
    pgSchema: config.pgSchema, poolSize: 2, sqliteSynchronous: config.sqliteSynchronous,
  });
  try {
    const result = await withStartupLock(handle, () => migrate(handle));
    const where = handle.dialect === 'postgres' ? `PostgreSQL${config.pgSchema ? ` (schema ${config.pgSchema})` : ''}` : 'SQLite';
    process.stdout.write(`${where}: ${result.created ? 'created from schema.sql' : 'up to date'} at version ${result.version}\n`);
  } finally {
    await handle.close();
  }
}

main().catch((error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `migrate failed: ${(error as Error).message}\n`);
  process.exit(1);
});
