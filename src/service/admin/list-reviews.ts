// What staff should look at (GET /v1/admin/reviews): advices whose decision the issuer's rules would
// have taken otherwise, clearings flagged needs_review (unmatched, of a reversed authorization, on a
// closed account, refunds without their purchase), and reversal advices for unknown originals.
// Newest first, keyset cursor on (createdAt, id) across the three; a PAN is shown masked, never whole.
import { alphaCurrency } from '../../domain/transactions.js';
import { compareNewestFirst, decodeCursor, encodeCursor, type CursorKey } from '../../domain/cursor.js';
import { maskPan } from '../../domain/pan.js';
import type { ServiceContext } from '../context.js';
import { fieldError } from '../errors.js';

export type ReviewKind = 'advice' | 'clearing' | 'reversal_advice';

export interface ReviewItem {
  id: string;
  kind: ReviewKind;
  createdAt: string;
  accountId: string | null;
  authorizationId: string | null;
  maskedPan: string | null;
  acquirerId: string | null;
  rrn: string | null;
  amount: number;
  currency: string | null;
  billingAmount: number | null;
  merchantName: string | null;
  responseCode: string | null;
  reason: string | null;
}

export interface ReviewFilter { kind?: ReviewKind; fromMs?: number; toMs?: number; cursor?: string; limit: number }

type Page<T> = Array<T & { created_at: number; id: string }>;

/**
 * The flagged rows of one table, newest first, after the cursor and inside [from, to). The three
 * tables share these column names; the query builder is untyped here for that reason alone.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function window(q: any, table: string, f: ReviewFilter, cursor: CursorKey | null, n: number): { execute(): Promise<Page<any>> } {
  const col = (c: string) => `${table}.${c}`;
  let out = q.where(col('needs_review'), '=', 1);
  if (f.fromMs !== undefined) out = out.where(col('created_at'), '>=', f.fromMs);
  if (f.toMs !== undefined) out = out.where(col('created_at'), '<', f.toMs);
  if (cursor) {
    out = out.where((eb: any) => eb.or([
      eb(col('created_at'), '<', cursor.createdAt),
      eb.and([eb(col('created_at'), '=', cursor.createdAt), eb(col('id'), '<', cursor.id)]),
    ]));
  }
  return out.orderBy(col('created_at'), 'desc').orderBy(col('id'), 'desc').limit(n);
}

export async function listReviews(ctx: ServiceContext, f: ReviewFilter): Promise<{ data: ReviewItem[]; nextCursor: string | null }> {
  const { db } = ctx.handle;
  const cursor = f.cursor ? decodeCursor(f.cursor) : null;
  if (f.cursor && (!cursor || cursor.resumeIds !== null)) throw fieldError('cursor', 'not a cursor this API returned');
  const n = f.limit + 1;
  const wants = (k: ReviewKind) => f.kind === undefined || f.kind === k;
  const iso = (ms: number) => new Date(Number(ms)).toISOString();
  const items: Array<ReviewItem & { key: CursorKey }> = [];

  if (wants('advice')) {
    const rows: Page<any> = await window(db.selectFrom('authorizations').leftJoin('cards', 'cards.id', 'authorizations.card_id')
      .select(['authorizations.id', 'authorizations.created_at', 'authorizations.account_id', 'authorizations.acquirer_id',
        'authorizations.rrn', 'authorizations.amount', 'authorizations.currency', 'authorizations.billing_fils',
        'authorizations.merchant_name', 'authorizations.response_code', 'authorizations.reason', 'cards.bin', 'cards.last4']),
    'authorizations', f, cursor, n).execute();
    for (const r of rows) {
      items.push({ key: { createdAt: Number(r.created_at), id: r.id }, id: r.id, kind: 'advice', createdAt: iso(r.created_at),
        accountId: r.account_id, authorizationId: r.id, maskedPan: r.bin && r.last4 ? maskPan(r.bin, r.last4) : null,
        acquirerId: r.acquirer_id, rrn: r.rrn, amount: Number(r.amount), currency: alphaCurrency(r.currency),
        billingAmount: r.billing_fils === null ? null : Number(r.billing_fils), merchantName: r.merchant_name,
        responseCode: r.response_code, reason: r.reason });
    }
  }
  if (wants('clearing')) {
    const rows: Page<any> = await window(db.selectFrom('clearings').select(['clearings.id', 'clearings.created_at', 'clearings.account_id',
      'clearings.authorization_id', 'clearings.record_key', 'clearings.amount', 'clearings.currency', 'clearings.billing_fils',
      'clearings.merchant_name', 'clearings.status', 'clearings.processing_code']), 'clearings', f, cursor, n).execute();
    for (const r of rows) {
      const [acquirerId, rrn] = String(r.record_key).split('|');
      items.push({ key: { createdAt: Number(r.created_at), id: r.id }, id: r.id, kind: 'clearing', createdAt: iso(r.created_at),
        accountId: r.account_id, authorizationId: r.authorization_id, maskedPan: null, acquirerId: acquirerId ?? null, rrn: rrn ?? null,
        amount: Number(r.amount), currency: alphaCurrency(r.currency), billingAmount: Number(r.billing_fils),
        merchantName: r.merchant_name, responseCode: null,
        reason: String(r.processing_code).startsWith('20') ? `refund_${r.status}` : r.status });
    }
  }
  if (wants('reversal_advice')) {
    const rows: Page<any> = await window(db.selectFrom('reversal_advices').select(['reversal_advices.id', 'reversal_advices.created_at',
      'reversal_advices.account_id', 'reversal_advices.authorization_id', 'reversal_advices.acquirer_id', 'reversal_advices.rrn',
      'reversal_advices.replacement_amount']), 'reversal_advices', f, cursor, n).execute();
    for (const r of rows) {
      items.push({ key: { createdAt: Number(r.created_at), id: r.id }, id: r.id, kind: 'reversal_advice', createdAt: iso(r.created_at),
        accountId: r.account_id, authorizationId: r.authorization_id, maskedPan: null, acquirerId: r.acquirer_id, rrn: r.rrn,
        amount: Number(r.replacement_amount), currency: null, billingAmount: null, merchantName: null, responseCode: '00',
        reason: r.authorization_id ? 'reversal_advice' : 'unknown_original' });
    }
  }
  items.sort((a, b) => compareNewestFirst(a.key, b.key));
  const page = items.slice(0, f.limit);
  const nextCursor = items.length > f.limit ? encodeCursor(page[page.length - 1].key) : null;
  return { data: page.map(({ key: _key, ...item }) => item), nextCursor };
}
