// Loads a clearing file through the same service as POST /v1/network/clearings:
//   npm run clearing -- file.json [networkClientKeyId]
// The file is { "records": [...] } or a bare array of records. Prints one result per record and
// a summary; exits 1 if any record was rejected. The file is posted as the network client that
// sent it (default: the one NETWORK_KEY_ID names): its records match that client's authorizations
// only and name only acquirers it may speak for, as over the API.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startServices } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { resolveSecrets } from '../src/dev-keys.js';
import { createLogger } from '../src/logger.js';
import { clearBatch } from '../src/service/clearing/clear-batch.js';

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npm run clearing -- <file.json> [networkClientKeyId]');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const records = Array.isArray(parsed) ? parsed : (parsed as { records?: unknown }).records;
  if (!Array.isArray(records)) throw new Error('the file must hold { "records": [...] } or an array of records');

  const config = loadConfig();
  const url = config.databaseUrl;
  const dataDir = url.startsWith('sqlite:') && url !== 'sqlite::memory:' ? dirname(resolve(url.slice('sqlite:'.length))) : resolve('data');
  const { secrets } = resolveSecrets(config, dataDir);
  const deps = await startServices({ config, secrets, logger: createLogger(config.logLevel), metrics: false });
  try {
    const results = await clearBatch(deps, records, process.argv[3] ?? secrets.networkKeyId);
    for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    const count = (s: string) => results.filter((r) => r.status === s).length;
    process.stdout.write(`records ${results.length}: posted ${count('posted')}, posted_unmatched ${count('posted_unmatched')}, `
      + `duplicate ${count('duplicate')}, rejected ${count('rejected')}\n`);
    process.exitCode = count('rejected') > 0 ? 1 : 0;
  } finally {
    await deps.handle.close();
  }
}

main().catch((error) => {
  process.stderr.write(`clearing failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
