// Keyset cursors on (createdAt, id), newest first — used by every list the cardholder pages through.
// Opaque to clients (base64url), checked on the way back in.

export interface CursorKey { createdAt: number; id: string }

/** Newest first: later time first, then the larger id (ids are time-ordered and unique). */
export function compareNewestFirst(a: CursorKey, b: CursorKey): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(`${key.createdAt}.${key.id}`, 'utf8').toString('base64url');
}

/** The key, or null when the cursor was not made by encodeCursor. */
export function decodeCursor(cursor: string): CursorKey | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,15})\.([a-z]{1,10}_[0-9a-z]{1,40})$/.exec(text);
  return m ? { createdAt: Number(m[1]), id: m[2] } : null;
}
