// Append-only, hash-chained audit log (SPEC §9). Each stream is its own chain:
// hash = sha256(prev_hash | canonical entry). Never a PAN in any field.
//
// Which chain an entry joins (auditChainFor) depends on the engine:
// - PostgreSQL: one chain per card account, one global: instances append concurrently, and each
//   chain serializes its appends (an advisory lock), so accounts never wait on each other.
// - SQLite: one chain for everything. There is one writer, so per-account chains bought nothing,
//   and each cost a randomly keyed entry in the (stream, seq) index per authorization: a page of its
//   own to write at every commit, 9–12 % of an authorization's CPU (docs/decisions/0025-audit.md).
// Either way an entry names its card account in account_id, so staff can ask for an account's
// entries on both engines.
import { hash as oneShotHash } from 'node:crypto';
import { newId } from '../ids.js';
import type { Dialect, Executor } from './db.js';
import { auditHeadsOf } from '../runtime/audit-heads.js';
import { dialectOf, param, prepared } from '../runtime/prepared.js';
import type { AuditLogTable } from './schema.js';

/** Audit ids are made from the entry's own created_at, so a time range is an id range (list-audit.ts). */
export const AUDIT_ID_PREFIX = 'au';

export const GENESIS_HASH = '0'.repeat(64);

export type ActorType = 'cardholder' | 'staff' | 'network' | 'system';

export interface AuditEntry {
  /** The card account the entry concerns; none for bank-wide changes (staff keys, products, logins). */
  accountId?: string | null;
  /** The chain to join; by default auditChainFor(dialect, accountId). */
  stream?: string;
  actorType: ActorType;
  actorId: string;
  action: string;
  subject?: string | null;
  sourceIp?: string | null;
  before?: unknown;
  after?: unknown;
  nowMs: number;
}

export const GLOBAL_STREAM = 'global';
const ACCOUNT_STREAM_PREFIX = 'account:';

/** An account's own chain (PostgreSQL; on SQLite, entries written before migration 4). */
export function accountStream(accountId: string): string {
  return `${ACCOUNT_STREAM_PREFIX}${accountId}`;
}

/** The account an account's own chain belongs to, or null for any other stream. */
export function accountOfStream(stream: string): string | null {
  return stream.startsWith(ACCOUNT_STREAM_PREFIX) ? stream.slice(ACCOUNT_STREAM_PREFIX.length) : null;
}

/** The chain an entry about `accountId` joins on this engine (see the top of this file). */
export function auditChainFor(dialect: Dialect, accountId: string | null | undefined): string {
  return dialect === 'postgres' && accountId ? accountStream(accountId) : GLOBAL_STREAM;
}

export function entryHash(prevHash: string, row: {
  stream: string; seq: number; actor_type: string; actor_id: string; action: string;
  subject: string | null; source_ip: string | null; before_state: string | null;
  after_state: string | null; created_at: number; account_id?: string | null;
}): string {
  const fields: unknown[] = [
    row.stream, row.seq, row.actor_type, row.actor_id, row.action, row.subject, row.source_ip,
    row.before_state, row.after_state, row.created_at,
  ];
  // The account is hashed when there is one (on SQLite the stream no longer names it); entries
  // without one, and every entry written before the column existed, hash exactly as they did.
  if (row.account_id != null) fields.push(row.account_id);
  // One-shot hash of the same bytes as update(prevHash).update('|').update(canonical).
  return oneShotHash('sha256', `${prevHash}|${JSON.stringify(fields)}`, 'hex');
}

// Every authorization appends one entry: both queries compiled once.
// PostgreSQL: serializes appends to one stream across connections and instances, until commit.
const streamLock = prepared<{ stream: string }, unknown>((db) =>
  db.selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.fn('hashtext', [eb.val(param<string>('stream'))])]).as('locked')));
const streamHead = prepared<{ stream: string }, { seq: number; hash: string }>((db) =>
  db.selectFrom('audit_log').select(['seq', 'hash']).where('stream', '=', param('stream')).orderBy('seq', 'desc').limit(1));
const insertEntry = prepared<AuditLogTable, never>((db) => db.insertInto('audit_log').values({
  id: param('id'), stream: param('stream'), seq: param('seq'), actor_type: param('actor_type'),
  actor_id: param('actor_id'), action: param('action'), subject: param('subject'), source_ip: param('source_ip'),
  before_state: param('before_state'), after_state: param('after_state'), created_at: param('created_at'),
  prev_hash: param('prev_hash'), hash: param('hash'), account_id: param('account_id'),
}));

export async function appendAudit(trx: Executor, e: AuditEntry): Promise<void> {
  const dialect = dialectOf(trx);
  const stream = e.stream ?? auditChainFor(dialect, e.accountId);
  if (dialect === 'postgres') {
    await streamLock.execute(trx, { stream });
  }
  const heads = dialect === 'sqlite' ? auditHeadsOf(trx) : undefined;
  const head = heads?.get(stream) ?? await streamHead.first(trx, { stream });
  const row = {
    stream,
    seq: (head?.seq ?? 0) + 1,
    actor_type: e.actorType,
    actor_id: e.actorId,
    action: e.action,
    subject: e.subject ?? null,
    source_ip: e.sourceIp ?? null,
    before_state: e.before === undefined ? null : JSON.stringify(e.before),
    after_state: e.after === undefined ? null : JSON.stringify(e.after),
    created_at: e.nowMs,
    account_id: e.accountId ?? null,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = entryHash(prevHash, row);
  heads?.forget(stream); // stays forgotten if the insert fails
  await insertEntry.execute(trx, {
    id: newId(AUDIT_ID_PREFIX, e.nowMs), stream: row.stream, seq: row.seq, actor_type: row.actor_type, actor_id: row.actor_id,
    action: row.action, subject: row.subject, source_ip: row.source_ip, before_state: row.before_state,
    after_state: row.after_state, created_at: row.created_at, prev_hash: prevHash, hash,
    account_id: row.account_id,
  });
  heads?.appended(stream, { seq: row.seq, hash });
}
