// Reads the audit log for staff (SPEC §6 GET /v1/admin/audit), newest first, with filters and an
// opaque cursor (the id of the last entry seen: ids are time-ordered).
import type { Executor } from '../../store/db.js';

export interface AuditFilter {
  actor?: string; actorType?: string; action?: string; subject?: string; stream?: string;
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
  if (f.fromMs !== undefined) q = q.where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('created_at', '<', f.toMs);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  return {
    data: page.map((r) => ({
      id: r.id, stream: r.stream, seq: Number(r.seq), actorType: r.actor_type, actorId: r.actor_id, action: r.action,
      subject: r.subject, sourceIp: r.source_ip, before: parse(r.before_state), after: parse(r.after_state),
      createdAt: new Date(Number(r.created_at)).toISOString(), hash: r.hash,
    })),
    nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
  };
}
