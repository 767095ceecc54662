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

/** A spawned process whose stdout and stderr are collected, and whose exit code is awaited. */
export interface Watched { proc: ChildProcess; output: () => string; exit: Promise<number | null> }

export function spawnWatched(command: string, args: string[], env: NodeJS.ProcessEnv): Watched {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += String(d); });
  proc.stderr!.on('data', (d) => { out += String(d); });
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exit };
}

/** Waits for the server's `ready` log line; its port (PORT=0 lets the system pick one), or null if it exited first. */
export async function readyPort(w: Watched): Promise<number | null> {
  while (!w.output().includes('"msg":"ready"')) {
    if (w.proc.exitCode !== null || w.proc.signalCode !== null) return null;
    await sleep(20);
  }
  const line = w.output().split('\n').find((l) => l.includes('"msg":"ready"'))!;
  return Number(JSON.parse(line).port);
}

export async function startChildServer(databaseUrl: string, secrets: Secrets, env: Record<string, string> = {}): Promise<ChildServer> {
  for (let attempt = 0; ; attempt++) {
    const port = 42_000 + Math.floor(Math.random() * 8000);
    const w = spawnWatched(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DEMO: '0', LOG_LEVEL: 'info', ISO8583_PORT: '0',
      DATABASE_URL: databaseUrl, ADMIN_API_KEY: secrets.adminApiKey, NETWORK_KEY_ID: secrets.networkKeyId,
      NETWORK_SECRET: secrets.networkSecret, MASTER_KEY: secrets.masterKey.toString('hex'), ...env,
    });
    if (await readyPort(w) !== null) return { ...w, port, url: `http://127.0.0.1:${port}` };
    if (attempt >= 3 || !w.output().includes('EADDRINUSE')) throw new Error(`server did not start: ${w.output()}`);
  }
}
