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
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { newId } from '../ids.js';
import type { Dialect, Executor } from './db.js';
import { auditHeadsOf } from '../runtime/audit-heads.js';
import { dialectOf, param, prepared } from '../runtime/prepared.js';
import type { AuditLogTable, Database } from './schema.js';

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

/** The fields an entry's hash covers, beside the chain's previous hash. */
export interface HashedEntry {
  stream: string; seq: number; actor_type: string; actor_id: string; action: string;
  subject: string | null; source_ip: string | null; before_state: string | null;
  after_state: string | null; created_at: number; account_id?: string | null;
}

/**
 * An entry's canonical text, the JSON array of its fields, split around its seq: canonical =
 * beforeSeq + seq + afterSeq. The seq is the one field only the chain's head decides, so PostgreSQL
 * can hash an entry in the statement that reads the head (appendLocked) from the two halves.
 */
export function canonicalAroundSeq(row: Omit<HashedEntry, 'seq'>): { beforeSeq: string; afterSeq: string } {
  const rest: unknown[] = [row.actor_type, row.actor_id, row.action, row.subject, row.source_ip, row.before_state, row.after_state, row.created_at];
  // The account is hashed when there is one (on SQLite the stream no longer names it); entries
  // without one, and every entry written before the column existed, hash exactly as they did.
  if (row.account_id != null) rest.push(row.account_id);
  // JSON.stringify([stream, seq, ...rest]) with seq cut out: arrays are joined by bare commas.
  return { beforeSeq: `[${JSON.stringify(row.stream)},`, afterSeq: `,${JSON.stringify(rest).slice(1)}` };
}

export function entryHash(prevHash: string, row: HashedEntry): string {
  const { beforeSeq, afterSeq } = canonicalAroundSeq(row);
  // One-shot hash of the same bytes as update(prevHash).update('|').update(canonical).
  return oneShotHash('sha256', `${prevHash}|${beforeSeq}${row.seq}${afterSeq}`, 'hex');
}

// SQLite: the head (from the batch's cache, else read) and the insert, two statements compiled once.
const streamHead = prepared<{ stream: string }, { seq: number; hash: string }>((db) =>
  db.selectFrom('audit_log').select(['seq', 'hash']).where('stream', '=', param('stream')).orderBy('seq', 'desc').limit(1));
const insertEntry = prepared<AuditLogTable, never>((db) => db.insertInto('audit_log').values({
  id: param('id'), stream: param('stream'), seq: param('seq'), actor_type: param('actor_type'),
  actor_id: param('actor_id'), action: param('action'), subject: param('subject'), source_ip: param('source_ip'),
  before_state: param('before_state'), after_state: param('after_state'), created_at: param('created_at'),
  prev_hash: param('prev_hash'), hash: param('hash'), account_id: param('account_id'),
}));

// PostgreSQL: the stream's lock, then one statement that reads the head, hashes and inserts.
// The lock serializes appends to one stream across connections and instances until commit; a
// statement begun after it was granted sees every entry committed before, so its head is the
// chain's. The hash is computed in the statement from the canonical text's two halves
// (canonicalAroundSeq) and the head it read: sha256 of the same UTF-8 bytes entryHash hashes.
const streamLock = prepared<{ stream: string }, unknown>((db) =>
  db.selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.fn('hashtext', [eb.val(param<string>('stream'))])]).as('locked')));

/** A statement's part that takes the lock of the chain of the card account `accountIdColumn` names (PostgreSQL). */
export function lockAccountStream(accountIdColumn: string): RawBuilder<unknown> {
  return sql`pg_advisory_xact_lock(hashtext(${sql.lit(ACCOUNT_STREAM_PREFIX)} || ${sql.ref(accountIdColumn)}))`;
}

/** The values the one-statement append takes (`e_` names: no other row written beside it has them). */
export interface LockedAppendValues {
  e_id: string; e_stream: string; e_actor_type: string; e_actor_id: string; e_action: string;
  e_subject: string | null; e_source_ip: string | null; e_before_state: string | null; e_after_state: string | null;
  e_created_at: number; e_account_id: string | null; e_before_seq: string; e_after_seq: string;
}

const AUDIT_COLUMNS = ['id', 'stream', 'seq', 'actor_type', 'actor_id', 'action', 'subject', 'source_ip',
  'before_state', 'after_state', 'created_at', 'prev_hash', 'hash', 'account_id'] as const;

/** The chain's head: a CTE named `audit_head` of the one-statement append. */
export const auditHeadOf = (db: QueryCreator<Database>) =>
  db.selectFrom('audit_log').select(['seq', 'hash']).where('stream', '=', param('e_stream')).orderBy('seq', 'desc').limit(1);

/** The entry's insert, reading the CTE `audit_head` (auditHeadOf) of the same statement. */
export const auditEntryOf = (db: QueryCreator<Database>) => db.insertInto('audit_log').columns(AUDIT_COLUMNS).expression(sql`
  select ${param('e_id')}::text, ${param('e_stream')}::text, n.seq, ${param('e_actor_type')}::text, ${param('e_actor_id')}::text,
    ${param('e_action')}::text, ${param('e_subject')}::text, ${param('e_source_ip')}::text, ${param('e_before_state')}::text,
    ${param('e_after_state')}::text, ${param('e_created_at')}::bigint, n.prev_hash,
    encode(sha256(convert_to(n.prev_hash || '|' || ${param('e_before_seq')}::text || n.seq::text || ${param('e_after_seq')}::text, 'UTF8')), 'hex'),
    ${param('e_account_id')}::text
  from (select coalesce((select seq from audit_head), 0) + 1 as seq, coalesce((select hash from audit_head), ${sql.lit(GENESIS_HASH)}) as prev_hash) as n`);

const appendLocked = prepared<LockedAppendValues, never>((db) =>
  db.with('audit_head', auditHeadOf).with('audit_entry', (qc) => auditEntryOf(qc as unknown as QueryCreator<Database>))
    .selectNoFrom(sql<number>`1`.as('appended')));

/** An entry's row before the chain's head gives it a seq and a hash. */
function entryRow(e: AuditEntry, stream: string): Omit<HashedEntry, 'seq'> & { id: string; account_id: string | null } {
  return {
    id: newId(AUDIT_ID_PREFIX, e.nowMs),
    stream,
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
}

/**
 * The values of the one-statement append of `e` to `stream` (PostgreSQL), for a statement that
 * writes the entry beside other rows (authorization-writes.repository.ts). Its caller holds the
 * stream's lock, taken by an earlier statement of the transaction (lockAccountStream).
 */
export function lockedAppendValues(e: AuditEntry, stream: string): LockedAppendValues {
  const row = entryRow(e, stream);
  const { beforeSeq, afterSeq } = canonicalAroundSeq(row);
  return {
    e_id: row.id, e_stream: stream, e_actor_type: row.actor_type, e_actor_id: row.actor_id, e_action: row.action,
    e_subject: row.subject, e_source_ip: row.source_ip, e_before_state: row.before_state, e_after_state: row.after_state,
    e_created_at: row.created_at, e_account_id: row.account_id, e_before_seq: beforeSeq, e_after_seq: afterSeq,
  };
}

export async function appendAudit(trx: Executor, e: AuditEntry): Promise<void> {
  const dialect = dialectOf(trx);
  const stream = e.stream ?? auditChainFor(dialect, e.accountId);
  if (dialect === 'postgres') {
    await streamLock.execute(trx, { stream });
    await appendLocked.execute(trx, lockedAppendValues(e, stream));
    return;
  }
  const heads = auditHeadsOf(trx);
  const head = heads.get(stream) ?? await streamHead.first(trx, { stream });
  // Filled in place, field by field: this runs for every authorization.
  const row = entryRow(e, stream) as AuditLogTable;
  row.seq = (head?.seq ?? 0) + 1;
  row.prev_hash = head?.hash ?? GENESIS_HASH;
  row.hash = entryHash(row.prev_hash, row);
  heads.forget(stream); // stays forgotten if the insert fails
  await insertEntry.execute(trx, row);
  heads.appended(stream, { seq: row.seq, hash: row.hash });
}
