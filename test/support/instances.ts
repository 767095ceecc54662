// Real server processes (src/main.ts, unchanged) for multi-instance tests: each listens on a port
// the OS picks (PORT=0) and reports it in its "ready" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote, for the failure message. */
  output(): string;
}

export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ISO8583_PORT: '0', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should the test worker die before afterAll, the servers die with it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  let out = '';
  let pending = '';
  return new Promise<ServerProcess>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`server did not start (${why}):\n${out.slice(-4000)}`));
    child.on('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    child.on('error', (error) => fail(error.message));
    child.stderr!.on('data', (chunk) => { out += chunk; });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ready' && entry.port) {
          resolve({ url: `http://127.0.0.1:${entry.port}`, child, output: () => out });
        }
      }
    });
  });
}

/** SIGTERM (the graceful drain main.ts implements), then SIGKILL if it is still there. */
export async function stopServer(server: ServerProcess, graceMs = 10_000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls /healthz until it answers 200 (the port is open as soon as "ready" is logged, but be sure). */
export async function waitHealthy(url: string, attempts = 50): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/healthz never answered 200`);
}
