// A PostgreSQL server of a test's own (initdb in a temporary folder, a free loopback port), which
// the test may stop and start again: outages without touching the shared server on 5432.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const [uid, gid] = execFileSync('id', ['-u', 'postgres']).toString().trim().split('\n').concat(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid: Number(uid), gid: Number(gid) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export class ThrowawayPostgres {
  private constructor(readonly dir: string, readonly port: number, private readonly owner: { uid: number; gid: number } | null) {}

  get url(): string { return `postgres://postgres@127.0.0.1:${this.port}/postgres`; }

  /** PostgreSQL refuses root: as root, its tools run as the postgres OS user. */
  private run(tool: string, args: string[]) {
    const command = this.owner ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', join(PG_BIN, tool), ...args]] as const : [join(PG_BIN, tool), args] as const;
    return execFileSync(command[0], [...command[1]], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'isc-pg-'));
    const owner = postgresUser();
    chmodSync(dir, 0o700);
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const pg = new ThrowawayPostgres(dir, await freePort(), owner);
    pg.run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    pg.start();
    return pg;
  }

  start() {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start',
      '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`]);
  }

  /** Immediate stop: every connection is cut at once, as when the server crashes. */
  crash() {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  destroy() {
    try { this.crash(); } catch { /* already stopped */ }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
