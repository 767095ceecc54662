// The customer's recent 3-D Secure challenges that can no longer be answered, and how each ended:
// approved, declined, or expired (not answered in time, so the shop was told no). Frictionless
// answers were never challenges: they are decided when created (decided_at = created_at).
import { findCurrency } from '../../domain/currencies.js';
import type { ServiceContext } from '../context.js';

export type ChallengeOutcome = 'approved' | 'declined' | 'expired';

export interface PastChallengeRow {
  trans_status: string; decided_at: number | null; expires_at: number; created_at: number;
}

/** How a challenge ended, or null while it is open or when it never was a challenge. */
export function challengeOutcome(r: PastChallengeRow, nowMs: number): ChallengeOutcome | null {
  if (r.trans_status === 'C') return r.expires_at <= nowMs ? 'expired' : null;
  if (r.decided_at === null || r.decided_at <= r.created_at) return null;
  if (r.trans_status === 'Y') return 'approved';
  return r.decided_at >= r.expires_at ? 'expired' : 'declined';
}

export async function listPastChallenges(ctx: ServiceContext, customerId: string, limit = 10) {
  const nowMs = ctx.clock.now();
  const rows = await ctx.handle.db.selectFrom('three_ds_authentications')
    .select(['id', 'trans_status', 'decided_at', 'expires_at', 'created_at', 'amount', 'currency', 'billing_fils', 'merchant_name'])
    .where('customer_id', '=', customerId).where('created_at', '>', nowMs - 7 * 86_400_000)
    .orderBy('created_at', 'desc').limit(50).execute();
  return rows.flatMap((r) => {
    const outcome = challengeOutcome({ ...r, decided_at: r.decided_at === null ? null : Number(r.decided_at), expires_at: Number(r.expires_at), created_at: Number(r.created_at) }, nowMs);
    return outcome ? [{
      id: r.id, outcome, amount: Number(r.amount), currency: findCurrency(r.currency)?.alpha ?? r.currency,
      billingAmount: r.billing_fils === null ? null : Number(r.billing_fils), merchantName: r.merchant_name,
      at: new Date(Number(r.decided_at ?? r.expires_at)).toISOString(),
    }] : [];
  }).slice(0, limit);
}
