// Keyset cursors on (createdAt, id), newest first — used by every list the cardholder pages through.
// Opaque to clients (base64url), checked on the way back in.

export interface CursorKey { createdAt: number; id: string }

/**
 * A cursor: the key of the last item shown and where the chain walks of the next page resume (one
 * authorization id per card account walked: the transaction list walks one, notifications one per
 * account of the customer). Cursors made before they carried resume ids have none.
 */
export interface Cursor extends CursorKey { resumeIds: string[] }

/** More resume ids than any customer has card accounts: a cursor carrying more was not made here. */
export const MAX_RESUME_IDS = 8;

/** Newest first: later time first, then the larger id (ids are time-ordered and unique). */
export function compareNewestFirst(a: CursorKey, b: CursorKey): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(key: CursorKey, resumeIds: readonly string[] = []): string {
  const text = [`${key.createdAt}.${key.id}`, ...resumeIds].join('.');
  return Buffer.from(text, 'utf8').toString('base64url');
}

const CURSOR = new RegExp(`^(\\d{1,15})\\.([a-z]{1,10}_[0-9a-z]{1,40})((?:\\.auth_[0-9a-z]{1,40}){0,${MAX_RESUME_IDS}})$`);

/** The cursor, or null when it was not made by encodeCursor. */
export function decodeCursor(cursor: string): Cursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = CURSOR.exec(text);
  if (!m) return null;
  return { createdAt: Number(m[1]), id: m[2], resumeIds: m[3] ? m[3].slice(1).split('.') : [] };
}
