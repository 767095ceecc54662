// Each card account's authorizations form two chains, newest first: every authorization names the
// account's previous one (prev_authorization_id), and every one the cardholder is told of (a
// purchase or a blocked attempt: domain/rules.ts, notifiesCardholder) the previous of those
// (prev_notified_authorization_id); the account row names the newest of each. They replace an
// (account_id, created_at) index on authorizations: its entry landed on a random page, a page of its
// own to write at every group commit (docs/decisions/0053-authorization-chains-per-card-account.md), while
// the account row an approval updates anyway now carries the head.
//
// A walk reads the chain in chunks, each one recursive query that follows the pointers; the
// visitor says when to stop. Every row read belongs to the account (the first is checked, the rest
// follow from it), so an id handed in from outside (a cursor) cannot reach another account's rows.
import { sql } from 'kysely';
import type { Executor } from './db.js';

export type Chain = 'all' | 'notified';

/** The columns a walk returns: what the transaction list and the notifications show. */
export interface ChainedAuthorization {
  id: string; account_id: string; card_id: string | null; approved: number; rule_id: string; status: string; amount: number; currency: string;
  billing_fils: number | null; merchant_name: string; mcc: string; response_code: string; reason: string;
  over_limit: number; created_at: number; processing_code: string; prev: string | null;
}

const PREVIOUS: Record<Chain, string> = { all: 'prev_authorization_id', notified: 'prev_notified_authorization_id' };
const COLUMNS = 'id, account_id, card_id, approved, rule_id, status, amount, currency, billing_fils, merchant_name, mcc, response_code, reason, over_limit, created_at, processing_code';
const MAX_CHUNK = 10_000;
/** No account has this many authorizations: a walk that reads more is following a cycle. */
const MAX_CHAIN_LENGTH = 10_000_000;

/**
 * Walks one account's chain from `startId` towards older rows, handing each row to `visit` until it
 * returns false or the chain ends. `sizeHint` is how many rows the visitor probably needs. True
 * when the chain ended (or `startId` was not this account's), false when the visitor stopped it.
 */
export async function walkChain(
  db: Executor, accountId: string, chain: Chain, startId: string | null, sizeHint: number,
  visit: (row: ChainedAuthorization) => boolean,
): Promise<boolean> {
  let next = startId;
  let chunk = Math.min(Math.max(sizeHint, 1), MAX_CHUNK);
  let read = 0;
  while (next) {
    const rows = await chunkFrom(db, accountId, chain, next, chunk);
    if (!rows.length) return true;
    for (const row of rows) if (!visit(row)) return false;
    read += rows.length;
    if (read > MAX_CHAIN_LENGTH) throw new Error(`account ${accountId}: its ${chain} chain runs past ${MAX_CHAIN_LENGTH} rows (a cycle?)`);
    next = rows[rows.length - 1].prev;
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
  return true;
}

/** Up to `count` rows of the chain from `startId` on, newest first: one query on both engines. */
async function chunkFrom(db: Executor, accountId: string, chain: Chain, startId: string, count: number): Promise<ChainedAuthorization[]> {
  const previous = sql.raw(PREVIOUS[chain]);
  const columns = sql.raw(COLUMNS);
  const result = await sql<ChainedAuthorization & { depth: number }>`
    with recursive walk as (
      select 1 as depth, ${columns}, ${previous} as prev from authorizations
        where id = ${startId} and account_id = ${accountId}
      union all
      select walk.depth + 1, ${sql.raw(prefixed('a'))}, a.${previous} from walk
        join authorizations a on a.id = walk.prev
        where walk.depth < ${count}
    )
    select ${columns}, prev from walk order by depth`.execute(db);
  return result.rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

const prefixed = (alias: string) => COLUMNS.split(', ').map((c) => `${alias}.${c}`).join(', ');
