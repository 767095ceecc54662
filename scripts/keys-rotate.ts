// npm run keys:rotate [-- --new-master-key <hex|base64>] [--master-only] [--batch-size 500] [--pause-ms 0]
// Adds a new PAN data key (new PANs use it) and re-encrypts PANs, TOTP secrets and network-client
// secrets in batches while the service keeps running; with --new-master-key, first re-wraps every
// data key under the new MASTER_KEY (then restart the instances with it). The fingerprint and CVV
// keys never change. Nothing secret is printed.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import { decodeKey, loadConfig } from '../src/config.js';
import { loadKeyring } from '../src/crypto/keyring.js';
import { dataDirFor } from '../src/dev-keys.js';
import { createLogger } from '../src/logger.js';
import { LocalEventBus } from '../src/service/events.js';
import type { ServiceContext } from '../src/service/context.js';
import { addPanDataKey, reencryptAll, rewrapMasterKey } from '../src/service/keys/rotate-data-keys.js';
import { openDatabase } from '../src/store/db.js';

const actor = { type: 'system' as const, id: 'keys:rotate' };

function currentMaster(config: ReturnType<typeof loadConfig>): { master: Buffer; devFile: string | null } {
  if (config.given.masterKey) return { master: config.given.masterKey, devFile: null };
  const file = join(dataDirFor(config), 'dev-keys.json');
  if (config.env === 'production' || !existsSync(file)) throw new Error('MASTER_KEY is not set');
  return { master: Buffer.from(JSON.parse(readFileSync(file, 'utf8')).MASTER_KEY, 'hex'), devFile: file };
}

async function main() {
  const { values } = parseArgs({ options: {
    'new-master-key': { type: 'string' }, 'master-only': { type: 'boolean' },
    'batch-size': { type: 'string', default: '500' }, 'pause-ms': { type: 'string', default: '0' },
  } });
  const config = loadConfig();
  const { master, devFile } = currentMaster(config);
  const handle = openDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
  const logger = createLogger(config.logLevel);
  try {
    const ctx: ServiceContext = {
      handle, keyring: await loadKeyring(handle.db, master), clock: systemClock, events: new LocalEventBus(), logger, bankName: config.bankName,
    };
    if (values['new-master-key']) {
      const next = decodeKey(values['new-master-key']);
      if (!next) throw new Error('--new-master-key must be 32 bytes, as 64 hex characters or base64');
      const count = await rewrapMasterKey(ctx, next, actor);
      process.stdout.write(`re-wrapped ${count} data keys under the new master key\n`);
      if (devFile) {
        const stored = JSON.parse(readFileSync(devFile, 'utf8'));
        writeFileSync(devFile, JSON.stringify({ ...stored, MASTER_KEY: next.toString('hex') }, null, 2) + '\n', { mode: 0o600 });
        process.stdout.write(`updated MASTER_KEY in ${devFile}\n`);
      } else {
        process.stdout.write('restart every instance with the new MASTER_KEY now\n');
      }
    }
    if (!values['master-only']) {
      const keyId = await addPanDataKey(ctx, actor);
      process.stdout.write(`new PAN data key ${keyId} is active\n`);
      const pauseMs = Number(values['pause-ms']);
      const totals = await reencryptAll(ctx, actor, {
        batchSize: Math.max(1, Number(values['batch-size'])),
        onBatch: async (table, rows) => {
          process.stdout.write(`  re-encrypted ${rows} ${table}\n`);
          if (pauseMs > 0) await sleep(pauseMs);
        },
      });
      process.stdout.write(`done: ${totals.cards} PANs, ${totals.totpSecrets} TOTP secrets, ${totals.networkClients} network-client secrets\n`);
    }
  } finally {
    await handle.close();
  }
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`keys:rotate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
