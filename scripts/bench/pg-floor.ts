// The least an authorization could cost on PostgreSQL: the statements it needs, by hand on bare pg,
// no service code, in the service's shape (docs/decisions/0073-pg-authorization-two-statements.md):
// one read that locks the card and its account and then the account's audit chain, and one write
// that inserts the authorization, moves the account, inserts the hold's ledger transfer and appends
// the hash-chained audit entry (head, hash and insert in the statement) — in batches sharing one
// transaction, over N connections at once, as fast as they go. If even this floor is below half of
// SQLite's service auth/s on the same machine, no code can reach it here.
//   npm run bench -- --pg-floor --db postgres://postgres@127.0.0.1:5432/test [--seconds 10]
//   (--floor-batch 16 --floor-connections 8 --floor-savepoints: a savepoint around each authorization)
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgFloorOptions { url: string; seconds: number; batch: number; connections: number; accounts: number; savepoints: boolean }

const SCHEMA = `
create table accounts (id bigint primary key, limit_fils bigint not null, held_fils bigint not null, exceed_used int not null);
create table cards (fingerprint text primary key, id bigint not null unique, account_id bigint not null references accounts (id), expiry text not null, status text not null);
create table authorizations (id bigserial primary key, account_id bigint, idempotency_key text not null unique, request_hash text not null,
  amount_fils bigint not null, response_code text not null, held_fils bigint not null, created_at bigint not null);
create table transfers (id bigserial primary key, account_id bigint not null, amount_fils bigint not null, authorization_id bigint not null, created_at bigint not null);
create table audit_log (stream text not null, seq bigint not null, action text not null, at bigint not null, prev_hash text not null, hash text not null, primary key (stream, seq));`;

export async function pgFloor(o: PgFloorOptions): Promise<{ perSec: number; authorizations: number; p99BatchMs: number }> {
  const schema = `floor_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const u = new URL(o.url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: u.toString(), max: o.connections });
  try {
    await pool.query(SCHEMA);
    await pool.query(`insert into accounts select i, 100000000, 0, 0 from generate_series(1, ${o.accounts}) i`);
    await pool.query(`insert into cards select md5(i::text), i, i, '2911', 'active' from generate_series(1, ${o.accounts}) i`);
    let next = 0;
    let count = 0;
    const batchMs: number[] = [];
    const until = performance.now() + o.seconds * 1000;
    const lane = async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < until) {
          const started = performance.now();
          await client.query('begin');
          for (let i = 0; i < o.batch; i++) {
            const n = next++;
            if (o.savepoints) await client.query('savepoint a');
            await authorizeOne(client, n, o.accounts);
            if (o.savepoints) await client.query('release savepoint a');
          }
          await client.query('commit');
          count += o.batch;
          batchMs.push(performance.now() - started);
        }
      } finally {
        client.release();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: o.connections }, lane));
    const seconds = (performance.now() - started) / 1000;
    batchMs.sort((a, b) => a - b);
    return { perSec: count / seconds, authorizations: count, p99BatchMs: batchMs[Math.floor(batchMs.length * 0.99)] ?? NaN };
  } finally {
    await pool.end();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

const READ = `with r as materialized (
    select c.id, c.status, c.expiry, a.id as account_id, a.limit_fils, a.held_fils, a.exceed_used
    from cards c join accounts a on a.id = c.account_id where c.fingerprint = $1 for update of a, c)
  select r.*, pg_advisory_xact_lock(hashtext('account:' || r.account_id)) from r`;
const WRITE = `with move as (update accounts set held_fils = held_fils + $6 where id = $1),
  hold as (insert into transfers (account_id, amount_fils, authorization_id, created_at) select $1, $6, 0, $7 where $6 > 0),
  head as (select seq, hash from audit_log where stream = $8 order by seq desc limit 1),
  entry as (insert into audit_log select $8, n.seq, $9, $7, n.prev, encode(sha256(convert_to(n.prev || '|' || $10 || n.seq::text || $11, 'UTF8')), 'hex')
    from (select coalesce((select seq from head), 0) + 1 as seq, coalesce((select hash from head), repeat('0', 64)) as prev) n)
  insert into authorizations (account_id, idempotency_key, request_hash, amount_fils, response_code, held_fils, created_at)
  values ($1, $2, $3, $4, $5, $6, $7)`;

async function authorizeOne(client: pg.PoolClient, n: number, accounts: number): Promise<void> {
  const fingerprint = createHash('md5').update(String(((n * 7919) % accounts) + 1)).digest('hex');
  const nowMs = Date.now();
  const amount = 100 + (n % 1400);
  const account = (await client.query({ name: 'floor_read', text: READ, values: [fingerprint] })).rows[0];
  const approved = Number(account.held_fils) + amount <= Number(account.limit_fils);
  const action = approved ? 'authorization.approved' : 'authorization.declined';
  await client.query({ name: 'floor_write', text: WRITE, values: [account.account_id, `floor|${n}|${nowMs}`, createHash('sha256').update(String(n)).digest('hex'),
    amount, approved ? '00' : '51', approved ? amount : 0, nowMs, `account:${account.account_id}`, action, `["account:${account.account_id}",`, `,"${action}",${nowMs}]`] });
}
