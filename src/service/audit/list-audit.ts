// Reads the audit log for staff (SPEC §6 GET /v1/admin/audit), newest first, with filters and an
// opaque cursor (the id of the last entry seen: ids are time-ordered).
import type { Executor } from '../../store/db.js';
import { idFloor } from '../../ids.js';
import { accountOfStream, accountStream, AUDIT_ID_PREFIX } from '../../store/audit.repository.js';
import { dialectOf } from '../../store/prepared.js';

export interface AuditFilter {
  actor?: string; actorType?: string; action?: string; subject?: string; stream?: string; account?: string;
  fromMs?: number; toMs?: number; cursor?: string; limit: number;
}

const parse = (v: string | null) => {
  if (v === null) return null;
  try { return JSON.parse(v); } catch { return v; }
};

export async function listAudit(db: Executor, f: AuditFilter) {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actor) q = q.where('actor_id', '=', f.actor);
  if (f.actorType) q = q.where('actor_type', '=', f.actorType);
  if (f.action) q = f.action.endsWith('*') ? q.where('action', 'like', `${f.action.slice(0, -1).replace(/[%_]/g, '')}%`) : q.where('action', '=', f.action);
  if (f.subject) q = q.where('subject', '=', f.subject);
  if (f.stream) q = q.where('stream', '=', f.stream);
  if (f.account) {
    const ownStream = accountStream(f.account);
    // PostgreSQL chains every entry about an account in its own stream (indexed). On SQLite, entries
    // since migration 4 sit in the one global chain and name the account in account_id (a scan:
    // an index there would cost the hot path what the single chain saved); older ones, its stream.
    q = dialectOf(db) === 'postgres'
      ? q.where('stream', '=', ownStream)
      : q.where((eb) => eb.or([eb('account_id', '=', f.account!), eb('stream', '=', ownStream)]));
  }
  // An entry's id is made from its created_at: the range runs on the primary key, which also gives
  // the order (no index on created_at: one entry fewer per authorization to write, migration 8).
  // created_at is compared as well, so the answer never rests on that alone.
  if (f.fromMs !== undefined) q = q.where('id', '>=', idFloor(AUDIT_ID_PREFIX, f.fromMs)).where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('id', '<', idFloor(AUDIT_ID_PREFIX, f.toMs)).where('created_at', '<', f.toMs);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((r) => ({
      id: r.id, stream: r.stream, seq: Number(r.seq), accountId: accountOf(r), actorType: r.actor_type, actorId: r.actor_id, action: r.action,
      subject: r.subject, sourceIp: r.source_ip, before: parse(r.before_state), after: parse(r.after_state),
      createdAt: new Date(Number(r.created_at)).toISOString(), hash: r.hash,
    })),
    nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
  };
}

/** The card account an entry concerns: its column, or for entries older than the column, its stream. */
function accountOf(r: { account_id: string | null; stream: string }): string | null {
  return r.account_id ?? accountOfStream(r.stream);
}
