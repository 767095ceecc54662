// Development convenience (SPEC §8): without keys in the environment, generate them once into the
// data folder and print them once. In production a missing key stops the start.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config, type Secrets } from './config.js';

export interface ResolvedSecrets { secrets: Secrets; generatedNow: boolean; file: string | null }

export function resolveSecrets(config: Config, dataDir: string): ResolvedSecrets {
  const g = config.given;
  if (g.adminApiKey && g.networkKeyId && g.networkSecret && g.masterKey) {
    return { secrets: g as Secrets, generatedNow: false, file: null };
  }
  if (config.env === 'production') {
    const missing = [
      !g.adminApiKey && 'ADMIN_API_KEY', !g.networkKeyId && 'NETWORK_KEY_ID',
      !g.networkSecret && 'NETWORK_SECRET', !g.masterKey && 'MASTER_KEY',
    ].filter(Boolean);
    throw new ConfigError(`NODE_ENV=production needs ${missing.join(', ')} in the environment`);
  }
  const file = join(dataDir, 'dev-keys.json');
  let stored: Record<string, string>;
  let generatedNow = false;
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } else {
    stored = {
      ADMIN_API_KEY: `adm_${randomBytes(24).toString('hex')}`,
      NETWORK_KEY_ID: 'net_dev',
      NETWORK_SECRET: randomBytes(32).toString('hex'),
      MASTER_KEY: randomBytes(32).toString('hex'),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    generatedNow = true;
  }
  return {
    secrets: {
      adminApiKey: g.adminApiKey ?? stored.ADMIN_API_KEY,
      networkKeyId: g.networkKeyId ?? stored.NETWORK_KEY_ID,
      networkSecret: g.networkSecret ?? stored.NETWORK_SECRET,
      masterKey: g.masterKey ?? Buffer.from(stored.MASTER_KEY, 'hex'),
    },
    generatedNow,
    file,
  };
}

/** The folder next to the SQLite file (or ./data): where development keys are kept. */
export function dataDirFor(config: Pick<Config, 'databaseUrl'>): string {
  const url = config.databaseUrl;
  if (url.startsWith('sqlite:') && url !== 'sqlite::memory:') return dirname(resolve(url.slice('sqlite:'.length)));
  return resolve('data');
}
