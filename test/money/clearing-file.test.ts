// `npm run clearing -- file.json` posts a clearing file through the same service as the API.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createCustomer } from '../../src/service/admin/customers.js';
import { decryptPan, requestCard } from '../../src/service/banking/issue-card.js';

describe('npm run clearing', () => {
  it('loads a file: one result line per record, the card account posted, exit 1 when a record is rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clearing-file-'));
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'cards.db')}`, NODE_ENV: 'test', LOG_LEVEL: 'silent',
      ADMIN_API_KEY: 'file-test-admin-key-0123456789', NETWORK_KEY_ID: 'net_file', NETWORK_SECRET: 'file-test-network-secret-0123',
      MASTER_KEY: randomBytes(32).toString('hex'),
    };
    try {
      const config = loadConfig(env);
      const deps = await startServices({ config, secrets: config.given as never, logger: createLogger('silent'), metrics: false });
      const customer = await createCustomer(deps, { username: 'filetest', password: 'correct horse', name: 'F', currentAccountBalance: 0 }, { type: 'system', id: 't' });
      const view = await requestCard(deps, customer.id, 100_000, { type: 'system', id: 't' });
      const row = await deps.handle.db.selectFrom('cards').selectAll().where('id', '=', view.id).executeTakeFirstOrThrow();
      const pan = decryptPan(deps, row);
      await deps.handle.close();

      const record = { pan, rrn: 'FILE00000001', acquirerId: '412345', amount: 2_500, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'File Shop' };
      const file = join(dir, 'batch.json');
      writeFileSync(file, JSON.stringify({ records: [record, record, { rrn: 'bad' }] }));
      const run = spawnSync(join('node_modules', '.bin', 'tsx'), ['scripts/clearing.ts', file], { env: { ...process.env, ...env }, encoding: 'utf8' });
      const lines = run.stdout.trim().split('\n');
      expect(JSON.parse(lines[0])).toMatchObject({ index: 0, status: 'posted_unmatched' });
      expect(JSON.parse(lines[1])).toMatchObject({ index: 1, status: 'duplicate' });
      expect(JSON.parse(lines[2])).toEqual({ index: 2, status: 'rejected', code: '30' });
      expect(run.status).toBe(1);

      const after = await startServices({ config, secrets: config.given as never, logger: createLogger('silent'), metrics: false });
      const account = await after.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', view.accountId).executeTakeFirstOrThrow();
      expect(account.posted_fils).toBe(2_500);
      await after.handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
