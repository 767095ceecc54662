// The cardholder's side of a challenge (SPEC §7): list the open ones, approve with a TOTP code
// (wrong codes count toward the step-up lockout), or decline.
import { findCurrency } from '../../domain/currencies.js';
import { authenticatedEci, CAVV_TTL_MS } from '../../domain/three-ds.js';
import { appendAudit } from '../../store/audit.repository.js';
import { findCard } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { decideChallenge, findCustomerAuthentication, listOpenChallenges } from '../../store/three-ds.repository.js';
import { inTransaction } from '../../store/transaction.js';
import { requireOtp } from '../banking/totp.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound, ServiceError } from '../errors.js';
import { newCavvRef } from './cavv.js';
import { settleIfExpired } from './expire.js';

export async function listChallenges(ctx: ServiceContext, customerId: string) {
  const rows = await listOpenChallenges(ctx.handle.db, customerId, ctx.clock.now());
  return rows.map((r) => ({
    id: r.id, amount: r.amount, currency: findCurrency(r.currency)?.alpha ?? r.currency,
    billingAmount: r.billing_fils, merchantName: r.merchant_name, expiresAt: new Date(r.expires_at).toISOString(),
  }));
}

/** Loads the customer's challenge and makes sure it can still be answered. */
async function openChallenge(trx: Trx, ctx: ServiceContext, customerId: string, id: string) {
  const found = await findCustomerAuthentication(trx, customerId, id);
  if (!found) throw notFound('Challenge');
  const row = await settleIfExpired(trx, ctx, found);
  if (row.trans_status !== 'C') {
    throw new ServiceError('invalid_transition', found.trans_status === 'C' ? 'This challenge has expired.' : 'This challenge was already answered.');
  }
  return row;
}

async function decide(ctx: ServiceContext, customerId: string, id: string, approve: boolean, actor: Actor): Promise<{ id: string; transStatus: 'Y' | 'N' }> {
  return inTransaction(ctx.handle, async (trx) => {
    const nowMs = ctx.clock.now();
    const row = await openChallenge(trx, ctx, customerId, id);
    const card = row.card_id ? await findCard(trx, row.card_id) : undefined;
    // A card frozen or blocked while the challenge was open cannot be approved.
    const status: 'Y' | 'N' = approve && card?.status === 'active' ? 'Y' : 'N';
    const decided = await decideChallenge(trx, id, status === 'Y' && card
      ? { trans_status: 'Y', eci: authenticatedEci(card.bin), cavv_ref: newCavvRef(), decided_at: nowMs, expires_at: nowMs + CAVV_TTL_MS }
      : { trans_status: 'N', eci: null, cavv_ref: null, decided_at: nowMs, expires_at: row.expires_at }, nowMs);
    if (!decided) throw new ServiceError('invalid_transition', 'This challenge was already answered.');
    await appendAudit(trx, { accountId: row.account_id, actorType: actor.type,
      actorId: actor.id, sourceIp: actor.ip, action: approve ? 'three_ds.approved' : 'three_ds.declined', subject: id,
      before: { transStatus: 'C' }, after: { transStatus: status }, nowMs });
    return { id, transStatus: status };
  });
}

export async function approveChallenge(ctx: ServiceContext, customerId: string, id: string, otp: string | undefined, actor: Actor) {
  // Ownership and openness first: another customer's challenge is 404 before any code is counted.
  await inTransaction(ctx.handle, (trx) => openChallenge(trx, ctx, customerId, id));
  await requireOtp(ctx, customerId, otp, 'step_up');
  return decide(ctx, customerId, id, true, actor);
}

export async function declineChallenge(ctx: ServiceContext, customerId: string, id: string, actor: Actor) {
  return decide(ctx, customerId, id, false, actor);
}
