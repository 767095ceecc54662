// In-process measurements, no HTTP: (1) the authorization engine — runNetworkVerb + authorize, the
// very path the route takes — with as many authorizations in flight as the HTTP run put in one
// commit on average, so both run with the same batching; (2) baseline (b): bare better-sqlite3 doing
// one account update plus one insert per authorization, in the same synchronous mode and with the
// same batch size (on PostgreSQL: bare pg transactions through a pool of the same size).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig, type Secrets } from '../../src/config.js';
import { authorize } from '../../src/service/network/authorize.js';
import { groupCommitFor } from '../../src/runtime/group-commit.js';
import { runNetworkVerb } from '../../src/runtime/index.js';
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';
import type { SeededCard } from '../seed.js';
import { Workload } from './workload.js';

export interface EngineResult { perSec: number; meanBatch: number; count: number }

export async function engineRun(databaseUrl: string, secrets: Secrets, cards: SeededCard[], o: { seconds: number; inFlight: number; sync: 'FULL' | 'NORMAL' }): Promise<EngineResult> {
  // SQLITE_CACHE_MB as the service reads it (512 is the advice at 1M cards, docs/performance.md).
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: databaseUrl, SQLITE_SYNCHRONOUS: o.sync, DEMO: '0', SQLITE_CACHE_MB: process.env.SQLITE_CACHE_MB });
  const deps = await startServices({ config, secrets, logger: pino({ level: 'silent' }), metrics: false });
  let batches = 0;
  let batched = 0;
  if (deps.handle.dialect === 'sqlite') groupCommitFor(deps.handle).observe((s) => { batches++; batched += s.size; });
  const workload = new Workload(cards);
  let count = 0;
  const until = performance.now() + o.seconds * 1000;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < until) {
      const request = workload.next() as unknown as AuthorizationRequest;
      await runNetworkVerb(deps, (trx) => authorize(trx, deps, { request, networkClient: secrets.networkKeyId, sourceIp: '127.0.0.1' }));
      count++;
    }
  };
  await Promise.all(Array.from({ length: o.inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  await deps.handle.close();
  return { perSec: count / seconds, meanBatch: batches ? batched / batches : 1, count };
}

export async function bareSqlite(o: { seconds: number; batch: number; sync: 'FULL' | 'NORMAL'; accounts: number }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'isc-bare-'));
  const db = new SqliteDatabase(join(dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.sync}`);
    db.exec(`create table accounts (id text primary key, held_fils bigint not null);
             create table holds (id text primary key, account_id text not null, amount_fils bigint not null, created_at bigint not null)`);
    const add = db.prepare('insert into accounts values (?, 0)');
    db.transaction(() => { for (let i = 0; i < o.accounts; i++) add.run(`acct_${i}`); })();
    const update = db.prepare('update accounts set held_fils = held_fils + ? where id = ?');
    const insert = db.prepare('insert into holds values (?, ?, ?, ?)');
    const batch = Math.max(1, Math.round(o.batch));
    let n = 0;
    const started = performance.now();
    const until = started + o.seconds * 1000;
    while (performance.now() < until) {
      db.exec('begin');
      for (let j = 0; j < batch; j++, n++) {
        const account = `acct_${(n * 7919) % o.accounts}`;
        update.run(100, account);
        insert.run(`h_${n}`, account, 100, Date.now());
      }
      db.exec('commit');
    }
    return n / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function barePostgres(url: string, o: { seconds: number; inFlight: number; poolSize: number; accounts: number }): Promise<number> {
  const schema = `bare_${Math.floor(Math.random() * 1e9)}`;
  const pool = new pg.Pool({ connectionString: url, max: o.poolSize });
  try {
    await pool.query(`create schema ${schema}`);
    await pool.query(`create table ${schema}.accounts (id text primary key, held_fils bigint not null)`);
    await pool.query(`create table ${schema}.holds (id text primary key, account_id text not null, amount_fils bigint not null, created_at bigint not null)`);
    await pool.query(`insert into ${schema}.accounts select 'acct_' || g, 0 from generate_series(0, ${o.accounts - 1}) g`);
    let n = 0;
    const started = performance.now();
    const until = started + o.seconds * 1000;
    const loop = async () => {
      while (performance.now() < until) {
        const i = n++;
        const account = `acct_${(i * 7919) % o.accounts}`;
        const client = await pool.connect();
        try {
          await client.query('begin');
          await client.query(`update ${schema}.accounts set held_fils = held_fils + $1 where id = $2`, [100, account]);
          await client.query(`insert into ${schema}.holds values ($1, $2, $3, $4)`, [`h_${i}`, account, 100, Date.now()]);
          await client.query('commit');
        } finally { client.release(); }
      }
    };
    await Promise.all(Array.from({ length: o.inFlight }, loop));
    return n / ((performance.now() - started) / 1000);
  } finally {
    await pool.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await pool.end();
  }
}
