// Reads the audit log for staff (SPEC §6 GET /v1/admin/audit), newest first, with filters and an
// opaque cursor (the id of the last entry seen: ids are time-ordered).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Executor } from '../../store/db.js';
import { idFloor } from '../../ids.js';
import { accountOfStream, accountStream, AUDIT_ID_PREFIX, GLOBAL_STREAM } from '../../store/audit.repository.js';
import { dialectOf } from '../../runtime/index.js';
import type { AuditLogTable } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';

export interface AuditFilter {
  actor?: string; actorType?: string; action?: string; subject?: string; stream?: string; account?: string;
  fromMs?: number; toMs?: number; cursor?: string; limit: number;
}

const parse = (v: string | null) => {
  if (v === null) return null;
  try { return JSON.parse(v); } catch { return v; }
};

/**
 * Rows of the log one SQLite query may pass over. Filters other than `stream` and the time range
 * have no index (an index would cost every authorization a random page), so a query for an entry
 * that is rare can walk the whole log: 2.3–2.5 s for 5M entries, on the thread that answers the
 * network. On SQLite the log is read in slices of this many rows, newest first, with the event loop
 * free between them (docs/decisions/0025-audit.md).
 */
export const AUDIT_SCAN_SLICE_ROWS = 4096;

/** The admin API's read: the log of this service's database. */
export function readAuditLog(ctx: ServiceContext, f: AuditFilter) {
  return listAudit(ctx.handle.db, f);
}

export async function listAudit(db: Executor, f: AuditFilter, sliceRows = AUDIT_SCAN_SLICE_ROWS) {
  const fromId = f.fromMs === undefined ? undefined : idFloor(AUDIT_ID_PREFIX, f.fromMs);
  // One query where it cannot walk the whole log on this thread: PostgreSQL (in the server), and
  // an account's stream from before migration 4 (its own index entries, frozen since).
  if (dialectOf(db) !== 'sqlite' || (f.stream !== undefined && f.stream !== GLOBAL_STREAM)) {
    return pageOf(await auditEntries(db, f, fromId, undefined).limit(f.limit + 1).execute(), f.limit);
  }

  // Slices downwards from the newest entry the filter allows (the cursor and `to` bound it in SQL).
  let below: string | undefined;

  const rows: AuditLogTable[] = [];
  for (;;) {
    // The slice: the next sliceRows ids down, read from the primary key's index alone.
    let edge = idRange(db.selectFrom('audit_log').select('id'), f, below);
    if (fromId !== undefined) edge = edge.where('id', '>=', fromId);
    const sliceEnd = (await edge.orderBy('id', 'desc').limit(1).offset(sliceRows - 1).executeTakeFirst())?.id;
    rows.push(...await auditEntries(db, f, sliceEnd ?? fromId, below).limit(f.limit + 1 - rows.length).execute());
    if (rows.length > f.limit || sliceEnd === undefined) break;
    below = sliceEnd;
    await nextTurn(); // authorizations queued meanwhile run before the next slice
  }
  return pageOf(rows, f.limit);
}

/** The entries matching `f` with ids in [above, below), newest first (one slice on SQLite). */
export function auditEntries(db: Executor, f: AuditFilter, above: string | undefined, below: string | undefined) {
  const sqlite = dialectOf(db) === 'sqlite';
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actor) q = q.where('actor_id', '=', f.actor);
  if (f.actorType) q = q.where('actor_type', '=', f.actorType);
  if (f.action) q = f.action.endsWith('*') ? q.where('action', 'like', `${f.action.slice(0, -1).replace(/[%_]/g, '')}%`) : q.where('action', '=', f.action);
  if (f.subject) q = q.where('subject', '=', f.subject);
  // SQLite: `+stream` keeps the planner off the (stream, seq) index for `global`, which holds every
  // entry since migration 4: it would walk and sort all of them, whatever the slice's id range.
  // An account's stream from before then is small, and its index entries are the way to it.
  if (f.stream) q = sqlite && f.stream === GLOBAL_STREAM ? q.where(sql<string>`+${sql.ref('stream')}`, '=', f.stream) : q.where('stream', '=', f.stream);
  if (f.account) {
    const ownStream = accountStream(f.account);
    // PostgreSQL chains every entry about an account in its own stream (indexed). On SQLite, entries
    // since migration 4 sit in the one global chain and name the account in account_id (a scan:
    // an index there would cost the hot path what the single chain saved); older ones, its stream.
    q = sqlite
      ? q.where((eb) => eb.or([eb('account_id', '=', f.account!), eb('stream', '=', ownStream)]))
      : q.where('stream', '=', ownStream);
  }
  // An entry's id is made from its created_at: the range runs on the primary key, which also gives
  // the order (no index on created_at: one entry fewer per authorization to write, migration 8).
  // created_at is compared as well, so the answer never rests on that alone.
  if (f.fromMs !== undefined) q = q.where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('created_at', '<', f.toMs);
  if (above !== undefined) q = q.where('id', '>=', above);
  return idRange(q, f, below).orderBy('id', 'desc');
}

/** Ids below the cursor, below `to`'s floor and below `below` (each exclusive), in SQL. */
function idRange<Q extends { where(column: 'id', op: '<', value: string): Q }>(q: Q, f: AuditFilter, below: string | undefined): Q {
  if (f.cursor) q = q.where('id', '<', f.cursor);
  if (f.toMs !== undefined) q = q.where('id', '<', idFloor(AUDIT_ID_PREFIX, f.toMs));
  if (below !== undefined) q = q.where('id', '<', below);
  return q;
}

function pageOf(rows: AuditLogTable[], limit: number) {
  const page = rows.slice(0, limit);
  return {
    data: page.map((r) => ({
      id: r.id, stream: r.stream, seq: Number(r.seq), accountId: accountOf(r), actorType: r.actor_type, actorId: r.actor_id, action: r.action,
      subject: r.subject, sourceIp: r.source_ip, before: parse(r.before_state), after: parse(r.after_state),
      createdAt: new Date(Number(r.created_at)).toISOString(), hash: r.hash,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** The card account an entry concerns: its column, or for entries older than the column, its stream. */
function accountOf(r: { account_id: string | null; stream: string }): string | null {
  return r.account_id ?? accountOfStream(r.stream);
}
