// A card's transactions, newest first, with keyset pagination on (created_at, id) (SPEC §6).
// The list is the card ACCOUNT's: after a replacement the new card shows the history of the old
// one (same credit line, same balance), and the old card shows the same list.
// Each of the four tables is read with the same keyset and limit + 1, then merged: pages never
// repeat or skip a row that existed when the client began paging (rows committed since are newer
// than its cursor, or, rarely, sort just below it and wait for a fresh first page: see
// docs/decisions/0053-authorization-chains-per-card-account.md).
// Authorizations are read by walking the account's chain (store/authorization-chains.repository.ts);
// the cursor carries where the next page's walk resumes, so a deep page costs no more than the first.
import {
  asLanguage, authorizationItem, clearingItem, compareNewestFirst, decodeCursor, encodeCursor, paymentItem,
  reversalItem, type CursorKey, type TransactionItem,
} from '../../domain/transactions.js';
import { ChainPage, MAX_WALKED_ABOVE_CURSOR } from '../../domain/authorization-chain.js';
import type { Cursor } from '../../domain/cursor.js';
import { walkChain, type ChainedAuthorization } from '../../store/authorization-chains.repository.js';
import type { Trx } from '../../store/db.js';
import { olderThan } from '../../store/keyset.js';
import type { CardAccount } from '../../store/schema.js';
import { inTransaction } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { fieldError } from '../errors.js';
import { loadOwnCard } from './load-card.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export async function listTransactions(ctx: ServiceContext, customerId: string, cardId: string, q: { cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  // One account's chain: one resume id at most.
  if (q.cursor && (!cursor || (cursor.resumeIds?.length ?? 0) > 1)) throw fieldError('cursor', 'not a cursor this API returned');
  return inTransaction(ctx.handle, async (trx) => {
    const { account } = await loadOwnCard(trx, ctx, customerId, cardId);
    const customer = await trx.selectFrom('customers').select('language').where('id', '=', customerId).executeTakeFirst();
    const language = asLanguage(customer?.language);
    const n = limit + 1;
    const [auths, reversals, clearings, payments] = await Promise.all([
      authorizationPage(trx, account, cursor, n),
      trx.selectFrom('reversals').innerJoin('authorizations as a', 'a.id', 'reversals.authorization_id')
        .select(['reversals.id', 'reversals.reversed_fils', 'reversals.replacement_amount', 'reversals.created_at', 'a.merchant_name', 'a.mcc'])
        .where('reversals.account_id', '=', account.id).where('reversals.reversed_fils', '>', 0).where(olderThan(cursor, 'reversals'))
        .orderBy('reversals.created_at', 'desc').orderBy('reversals.id', 'desc').limit(n).execute(),
      trx.selectFrom('clearings')
        .select(['id', 'status', 'processing_code', 'amount', 'currency', 'billing_fils', 'merchant_name', 'mcc', 'created_at'])
        .where('account_id', '=', account.id).where(olderThan(cursor, 'clearings'))
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(n).execute(),
      trx.selectFrom('payments').select(['id', 'amount_fils', 'created_at'])
        .where('account_id', '=', account.id).where(olderThan(cursor, 'payments'))
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(n).execute(),
    ]);
    const keyed: Array<CursorKey & { item: TransactionItem }> = [
      ...auths.rows().map((r) => ({ createdAt: r.created_at, id: r.id, item: authorizationItem(r, language) })),
      ...reversals.map((r) => ({ createdAt: r.created_at, id: r.id, item: reversalItem(r, language) })),
      ...clearings.map((r) => ({ createdAt: r.created_at, id: r.id, item: clearingItem(r, language) })),
      ...payments.map((r) => ({ createdAt: r.created_at, id: r.id, item: paymentItem(r, language) })),
    ].sort(compareNewestFirst);
    const page = keyed.slice(0, limit);
    const more = keyed.length > limit;
    const last = page[page.length - 1];
    return { data: page.map((k) => k.item), nextCursor: more ? encodeCursor(last, auths.resumeIdsAt(last)) : null };
  });
}

/**
 * The newest n authorizations older than the cursor, walking from where the cursor says to resume
 * (nowhere when it says the chain is used up), and where the page after `next` resumes.
 */
async function authorizationPage(trx: Trx, account: CardAccount, cursor: Cursor | null, n: number) {
  const page = new ChainPage<ChainedAuthorization>(cursor, n, MAX_WALKED_ABOVE_CURSOR);
  const resumeId = cursor?.resumeIds ? cursor.resumeIds[0] ?? null : account.last_authorization_id;
  const ended = await walkChain(trx, account.id, 'all', resumeId, n + 1, (row) => page.add(row));
  // The walk's first row must be this account's: a resume id of another account's reads nothing.
  if (cursor?.resumeIds?.length && page.nothingWalked()) throw fieldError('cursor', 'not a cursor this API returned');
  if (page.refused()) throw fieldError('cursor', 'not a cursor this API returned for this page: start from the first page');
  return {
    rows: () => page.rows(),
    resumeIdsAt: (next: CursorKey) => (page.usedUpAt(next, ended) ? [] : [page.resumeAt(next)!]),
  };
}
