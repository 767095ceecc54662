// `npm run migrate` (scripts/migrate.ts): one command that points at a database and builds or
// upgrades it, on either backend; run twice, it changes nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { currentVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { backendUrl, dropPgSchema, forEachBackend, testRunId } from '../support/backends.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function migrateScript(env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
  });
}

forEachBackend((backend) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of cleanups) await c(); });

  describe('npm run migrate', () => {
    it('builds a new database from schema.sql, then reports it up to date', async () => {
      let env: Record<string, string>;
      let open: () => ReturnType<typeof openDatabase>;
      if (backend === 'postgres') {
        // A schema that does not exist yet: the script creates it.
        const schema = `t_${testRunId()}_${randomBytes(6).toString('hex')}`;
        cleanups.push(() => dropPgSchema(schema));
        env = { DATABASE_URL: backendUrl('postgres')!, PG_SCHEMA: schema };
        open = () => openDatabase(backendUrl('postgres')!, { pgSchema: schema });
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'isc-migrate-'));
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
        env = { DATABASE_URL: `sqlite:${join(dir, 'cards.db')}` };
        open = () => openDatabase(env.DATABASE_URL);
      }
      const first = await migrateScript(env);
      expect(first.stdout).toMatch(new RegExp(`created from schema.sql at version ${SCHEMA_VERSION}`));
      const second = await migrateScript(env);
      expect(second.stdout).toMatch(new RegExp(`up to date at version ${SCHEMA_VERSION}`));
      const handle = open();
      try {
        expect(await currentVersion(handle)).toBe(SCHEMA_VERSION);
        expect(await handle.db.selectFrom('card_accounts').select('id').execute()).toEqual([]);
      } finally {
        await handle.close();
      }
    });
  });
});

describe('npm run migrate with a bad DATABASE_URL', () => {
  it('exits non-zero with a clear message', async () => {
    await expect(migrateScript({ DATABASE_URL: 'mysql://nope' })).rejects.toMatchObject({
      code: 1, stderr: expect.stringContaining('DATABASE_URL must start with sqlite: or postgres://'),
    });
  });
});
