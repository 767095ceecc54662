// Keyset cursors on (createdAt, id), newest first — used by every list the cardholder pages through.
// Opaque to clients (base64url), checked on the way back in.

export interface CursorKey { createdAt: number; id: string }

/** A cursor: the key of the last item shown and, for the transaction list, where its chain walk resumes. */
export interface Cursor extends CursorKey { resumeId?: string }

/** Newest first: later time first, then the larger id (ids are time-ordered and unique). */
export function compareNewestFirst(a: CursorKey, b: CursorKey): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(key: CursorKey, resumeId?: string | null): string {
  const text = `${key.createdAt}.${key.id}${resumeId ? `.${resumeId}` : ''}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The cursor, or null when it was not made by encodeCursor. */
export function decodeCursor(cursor: string): Cursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,15})\.([a-z]{1,10}_[0-9a-z]{1,40})(?:\.(auth_[0-9a-z]{1,40}))?$/.exec(text);
  if (!m) return null;
  return m[3] ? { createdAt: Number(m[1]), id: m[2], resumeId: m[3] } : { createdAt: Number(m[1]), id: m[2] };
}
