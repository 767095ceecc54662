// Keyset cursors on (createdAt, id), newest first — used by every list the cardholder pages through.
// Opaque to clients (base64url), checked on the way back in.

export interface CursorKey { createdAt: number; id: string }

/**
 * A cursor: the key of the last item shown and where the chain walks of the next page resume: one
 * authorization id per card account that still has rows for later pages (the transaction list walks
 * one account, notifications every account of the customer). An account without one has nothing
 * left, and is not walked. `resumeIds` null: the cursor does not say (made before cursors carried
 * resume ids, or too many accounts to name), and every account is walked from its newest row.
 */
export interface Cursor extends CursorKey { resumeIds: string[] | null }

/** The most resume ids a cursor carries: with more, it carries none (resumeIds null). */
export const MAX_RESUME_IDS = 8;
/** Written for an empty resume list (every chain used up), which is not the same as none given. */
const NOTHING_LEFT = 'r';

/** Newest first: later time first, then the larger id (ids are time-ordered and unique). */
export function compareNewestFirst(a: CursorKey, b: CursorKey): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(key: CursorKey, resumeIds: readonly string[] | null = null): string {
  const resume = resumeIds === null || resumeIds.length > MAX_RESUME_IDS ? []
    : resumeIds.length ? resumeIds : [NOTHING_LEFT];
  const text = [`${key.createdAt}.${key.id}`, ...resume].join('.');
  return Buffer.from(text, 'utf8').toString('base64url');
}

const CURSOR = new RegExp(
  `^(\\d{1,15})\\.([a-z]{1,10}_[0-9a-z]{1,40})(\\.${NOTHING_LEFT}|(?:\\.auth_[0-9a-z]{1,40}){1,${MAX_RESUME_IDS}})?$`);

/** The cursor, or null when it was not made by encodeCursor. */
export function decodeCursor(cursor: string): Cursor | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = CURSOR.exec(text);
  if (!m) return null;
  const resumeIds = m[3] === undefined ? null : m[3] === `.${NOTHING_LEFT}` ? [] : m[3].slice(1).split('.');
  return { createdAt: Number(m[1]), id: m[2], resumeIds };
}
