// Reading a card account's authorizations newest first by walking its chain (each authorization
// names the account's previous one; store/authorization-chains.repository.ts). Pure: rows in walk
// order go in, a keyset page comes out.
//
// Along a chain created_at never increases (authorize clamps it: recordedAt below), so rows that
// share a created_at sit next to each other. Ids break those ties and need not follow the walk,
// so a page is certain only once the walk has passed the whole tie group of its oldest row.
import { compareNewestFirst, type CursorKey } from './cursor.js';

export interface ChainRow { id: string; created_at: number }

/**
 * How many authorizations newer than its cursor a page's walk may pass. A cursor this API made
 * passes the ties of its millisecond (or, made before cursors carried resume ids, the rows above
 * it); a forged one could otherwise make the walk read the account's whole history.
 */
export const MAX_WALKED_ABOVE_CURSOR = 1_000;

/**
 * When an authorization is recorded: now, or its account's newest authorization's time if the
 * clock stands behind it (a clock stepped back, or another instance's clock), so that created_at
 * never decreases along the account's chain.
 */
export function recordedAt(nowMs: number, lastAuthorizationAt: number | null): number {
  return lastAuthorizationAt !== null && lastAuthorizationAt > nowMs ? lastAuthorizationAt : nowMs;
}

function isOlder(row: ChainRow, before: CursorKey | null): boolean {
  if (!before) return true;
  return row.created_at < before.createdAt || (row.created_at === before.createdAt && row.id < before.id);
}

/**
 * The newest `limit` rows older than `before`, fed one at a time in walk order. A walk that passes
 * more than `maxNewer` rows newer than `before` is refused: the cursor was not made where the walk
 * began (a forged one, say), and following it would read a chain of any length.
 */
export class ChainPage<R extends ChainRow> {
  /** Every row fed, in walk order (resumeAt reads their times). */
  private readonly walked: R[] = [];
  private readonly collected: R[] = [];
  private newer = 0;
  private certain = false;
  private tooFar = false;

  constructor(private readonly before: CursorKey | null, private readonly limit: number, private readonly maxNewer = Infinity) {
    if (limit < 1) this.certain = true;
  }

  /** Takes the next row of the walk; false once no later row can be on the page, or the walk is refused. */
  add(row: R): boolean {
    if (this.certain) return false;
    this.walked.push(row);
    const last = this.collected[this.collected.length - 1];
    if (this.collected.length >= this.limit && row.created_at < last.created_at) {
      this.certain = true;
      return false;
    }
    if (isOlder(row, this.before)) {
      this.collected.push(row);
    } else if (++this.newer > this.maxNewer) {
      this.tooFar = this.certain = true;
      return false;
    }
    return true;
  }

  /** True when the walk passed more than maxNewer rows newer than the cursor (rows() is then incomplete). */
  refused(): boolean {
    return this.tooFar;
  }

  /** The page, newest first in (created_at, id) order; complete when the walk ended or add said false. */
  rows(): R[] {
    return [...this.collected].sort((a, b) => compareNewestFirst(key(a), key(b))).slice(0, this.limit);
  }

  /** True when no row was fed: the walk's start was not found. */
  nothingWalked(): boolean {
    return this.walked.length === 0;
  }

  /**
   * Where a walk for the rows older than `next` may start: the first row walked that is not newer
   * than `next`'s time (everything walked before it is newer, so off that page), else the last row
   * walked (a walk from it skips it and goes on). Null when nothing was walked.
   */
  resumeAt(next: CursorKey): string | null {
    const first = this.walked.find((r) => r.created_at <= next.createdAt);
    return (first ?? this.walked[this.walked.length - 1])?.id ?? null;
  }

  /**
   * True when a page after `next` can hold none of this chain's rows: the walk reached the chain's
   * end (`walkEnded`, not stopped by add) and read nothing older than `next`.
   */
  usedUpAt(next: CursorKey, walkEnded: boolean): boolean {
    return walkEnded && !this.walked.some((r) => isOlder(r, next));
  }
}

const key = (r: ChainRow): CursorKey => ({ createdAt: r.created_at, id: r.id });
