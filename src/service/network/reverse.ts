// Reversals (SPEC §5): the merchant says how much remains authorized (replacementAmount, in the
// original currency; 0 or omitted = full). The hold shrinks to it; setting the same amount twice
// changes nothing. A full reversal of the over-limit authorization gives the allowance back.
import { remainingHoldFils } from '../../domain/fx.js';
import { nextAllowance } from '../../domain/over-limit-allowance.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { lockAccount, overLimitAllowanceOf, overLimitColumns } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { cardLedger, insertPending, NETWORK_SETTLEMENT, voidPending } from '../../store/ledger.repository.js';
import type { Authorization } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import { assertAcquirerPermitted } from './acquirer-scope.js';
import { runNetworkVerb } from '../../runtime/index.js';

export interface ReversalRequest {
  authorizationId?: string;
  acquirerId?: string;
  rrn?: string;
  stan: string;
  transmissionTime: string;
  replacementAmount?: number;
}

export interface ReversalResponse {
  responseCode: string;
  approved: boolean;
  reason: string;
  authorizationId?: string;
  reversedAmount: number;
  remainingAmount?: number;
}

/** The original, among the calling client's own authorizations only (SPEC §6): another's is unknown. */
async function findOriginal(trx: Trx, r: ReversalRequest, networkClient: string): Promise<Authorization | undefined> {
  if (r.authorizationId) {
    return trx.selectFrom('authorizations').selectAll().where('id', '=', r.authorizationId)
      .where('network_client', '=', networkClient).executeTakeFirst();
  }
  // Several attempts can share an RRN (a decline, then a retry): prefer the approved one.
  return trx.selectFrom('authorizations').selectAll()
    .where('acquirer_id', '=', r.acquirerId!).where('rrn', '=', r.rrn!).where('network_client', '=', networkClient)
    .orderBy('approved', 'desc').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** A reversal as the network API takes it: refused (403) for an acquirer the client may not speak for. */
export async function reverseNetworkRequest(ctx: ServiceContext, r: ReversalRequest, networkClient: string): Promise<ReversalResponse> {
  if (r.acquirerId !== undefined) await assertAcquirerPermitted(ctx, networkClient, r.acquirerId);
  return runNetworkVerb(ctx, (trx) => reverse(trx, ctx, r, networkClient));
}

export async function reverse(trx: Trx, ctx: ServiceContext, r: ReversalRequest, networkClient: string): Promise<ReversalResponse> {
  const nowMs = ctx.clock.now();
  const found = await findOriginal(trx, r, networkClient);
  if (!found) return { responseCode: '25', approved: false, reason: 'unknown_original', reversedAmount: 0 };

  const account = found.account_id ? await lockAccount(trx, ctx.handle.dialect, found.account_id) : undefined;
  // Re-read under the account lock: a concurrent reversal or clearing may have moved it.
  const auth = (await trx.selectFrom('authorizations').selectAll().where('id', '=', found.id).executeTakeFirst())!;
  const done = (reversedAmount: number): ReversalResponse => ({
    responseCode: '00', approved: true, reason: 'reversed', authorizationId: auth.id, reversedAmount, remainingAmount: auth.hold_fils - reversedAmount,
  });
  if (auth.status !== 'pending' || !account || auth.billing_fils === null) return { ...done(0), remainingAmount: auth.status === 'pending' ? auth.hold_fils : 0 };

  const targetFils = remainingHoldFils(auth.amount, auth.billing_fils, r.replacementAmount ?? 0);
  if (targetFils >= auth.hold_fils) return done(0);

  const releasedFils = auth.hold_fils - targetFils;
  await voidPending(trx, auth.hold_transfer_id!, `reversal:${auth.id}`, nowMs);
  const newHoldId = targetFils > 0
    ? await insertPending(trx, { accountId: account.id, debit: cardLedger(account.id), credit: NETWORK_SETTLEMENT,
      amountFils: targetFils, reference: `authorization:${auth.id}`, nowMs })
    : null;
  const full = targetFils === 0;
  await trx.updateTable('authorizations').set({
    hold_fils: targetFils, hold_transfer_id: newHoldId, status: full ? 'reversed' : 'pending', updated_at: nowMs,
  }).where('id', '=', auth.id).execute();
  const allowance = overLimitAllowanceOf(account);
  const nextOverLimit = full ? nextAllowance(allowance, { type: 'fully_reversed', authorizationId: auth.id }) : allowance;
  const givesAllowanceBack = allowance.used && !nextOverLimit.used;
  await trx.updateTable('card_accounts').set({
    held_fils: account.held_fils - releasedFils, ...overLimitColumns(nextOverLimit),
  }).where('id', '=', account.id).execute();
  await trx.insertInto('reversals').values({
    id: newId('rev', nowMs), account_id: account.id, authorization_id: auth.id, stan: r.stan,
    replacement_amount: r.replacementAmount ?? 0, reversed_fils: releasedFils, created_at: nowMs,
  }).execute();
  await appendAudit(trx, { accountId: account.id, actorType: 'network',
    actorId: networkClient, action: full ? 'authorization.reversed' : 'authorization.partially_reversed', subject: auth.id,
    before: { holdFils: auth.hold_fils }, after: { holdFils: targetFils, overLimitRestored: givesAllowanceBack }, nowMs });
  return { ...done(releasedFils), remainingAmount: targetFils };
}
