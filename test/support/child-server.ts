// The real server (src/main.ts) as a child process on a SQLite file, for tests that kill it,
// stop it or talk to it over raw sockets. Production settings: nothing generated, nothing printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Secrets } from '../../src/config.js';

export interface ChildServer { proc: ChildProcess; port: number; url: string; output: () => string; exit: Promise<number | null> }

export const childSecrets = (): Secrets => ({
  adminApiKey: randomBytes(16).toString('hex'), networkKeyId: 'net_child', networkSecret: randomBytes(16).toString('hex'), masterKey: randomBytes(32),
});

export async function startChildServer(databaseUrl: string, secrets: Secrets, env: Record<string, string> = {}): Promise<ChildServer> {
  for (let attempt = 0; ; attempt++) {
    const port = 42_000 + Math.floor(Math.random() * 8000);
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrl, ADMIN_API_KEY: secrets.adminApiKey, NETWORK_KEY_ID: secrets.networkKeyId,
        NETWORK_SECRET: secrets.networkSecret, MASTER_KEY: secrets.masterKey.toString('hex'), ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d) => { out += String(d); });
    proc.stderr!.on('data', (d) => { out += String(d); });
    const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    while (!out.includes('"msg":"ready"') && proc.exitCode === null && proc.signalCode === null) await sleep(25);
    if (out.includes('"msg":"ready"')) return { proc, port, url: `http://127.0.0.1:${port}`, output: () => out, exit };
    if (attempt >= 3 || !out.includes('EADDRINUSE')) throw new Error(`server did not start: ${out}`);
  }
}
