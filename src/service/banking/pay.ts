// A payment towards the card (SPEC §5): from the cardholder's own current account, up to the posted
// balance owed; it restores `available` at once. One transaction moves the money on both sides:
// current_accounts.balance_fils and card_accounts.posted_fils, with a posted ledger transfer
// current:<id> → card:<account>. An Idempotency-Key replays the first answer; the same key with
// another body is a conflict.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { availableFils, outstandingFils } from '../../domain/limits.js';
import { formatKd } from '../../domain/money.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import type { Trx } from '../../store/db.js';
import { findStoredResponse, storeResponse } from '../../store/idempotency.repository.js';
import { cardLedger, currentLedger, insertPosted } from '../../store/ledger.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { notFound, ServiceError } from '../errors.js';
import { loadOwnCard } from './load-card.js';

export interface PaymentInput { amount: number; fromAccountId?: string }

export interface PaymentView {
  id: string; cardId: string; accountId: string; fromAccountId: string; amount: number; currency: 'KWD';
  status: 'posted'; outstanding: number; available: number; createdAt: string;
}

export interface PaymentOutcome { statusCode: 201; body: PaymentView; replayed: boolean }

const scopeFor = (customerId: string) => `payment:${customerId}`;
const hashOf = (cardId: string, input: PaymentInput) =>
  createHash('sha256').update(JSON.stringify([cardId, input.amount, input.fromAccountId])).digest('hex');

export async function payCard(ctx: ServiceContext, customerId: string, cardId: string, input: PaymentInput,
  actor: Actor, idempotencyKey?: string): Promise<PaymentOutcome> {
  const requestHash = hashOf(cardId, input);
  const attempt = () => inTransaction(ctx.handle, async (trx) => {
    if (idempotencyKey) {
      const stored = await findStoredResponse(trx, scopeFor(customerId), idempotencyKey);
      if (stored) return replay(stored, requestHash);
    }
    const body = await pay(trx, ctx, customerId, cardId, input, actor);
    if (idempotencyKey) {
      await storeResponse(trx, scopeFor(customerId), idempotencyKey, { requestHash, statusCode: 201, body }, ctx.clock.now());
    }
    return { statusCode: 201 as const, body, replayed: false };
  });
  let outcome: PaymentOutcome;
  try {
    outcome = await attempt();
  } catch (error) {
    // A concurrent request with the same key committed first: answer as it did.
    if (!idempotencyKey || !isUniqueViolation(error)) throw error;
    outcome = await attempt();
  }
  if (!outcome.replayed) ctx.events.publish(customerId);
  return outcome;
}

function replay(stored: { requestHash: string; statusCode: number; body: unknown }, requestHash: string): PaymentOutcome {
  if (stored.requestHash !== requestHash) {
    throw new ServiceError('idempotency_conflict', 'This Idempotency-Key was already used for a different payment.');
  }
  return { statusCode: 201, body: stored.body as PaymentView, replayed: true };
}

async function lockCurrentAccount(trx: Trx, ctx: ServiceContext, customerId: string, given: string | undefined) {
  const id = given ?? (await trx.selectFrom('current_accounts').select('id').where('customer_id', '=', customerId)
    .orderBy('created_at').orderBy('id').limit(1).executeTakeFirst())?.id;
  if (!id) return undefined;
  if (ctx.handle.dialect === 'postgres') {
    const r = await sql<{ id: string; balance_fils: number; customer_id: string }>`select id, balance_fils, customer_id from current_accounts where id = ${id} for update`.execute(trx);
    const row = r.rows[0];
    return row && row.customer_id === customerId ? { ...row, balance_fils: Number(row.balance_fils) } : undefined;
  }
  return trx.selectFrom('current_accounts').select(['id', 'balance_fils', 'customer_id'])
    .where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
}

async function pay(trx: Trx, ctx: ServiceContext, customerId: string, cardId: string, input: PaymentInput, actor: Actor): Promise<PaymentView> {
  const nowMs = ctx.clock.now();
  // Lock order everywhere money moves: card account first, then the current account.
  const { card, account } = await loadOwnCard(trx, ctx, customerId, cardId, { lock: true });
  const from = await lockCurrentAccount(trx, ctx, customerId, input.fromAccountId);
  if (!from) throw notFound('Current account');
  if (account.posted_fils <= 0) {
    throw new ServiceError('nothing_owed', 'There is no posted balance to pay.', { postedBalance: account.posted_fils });
  }
  if (input.amount > account.posted_fils) {
    throw new ServiceError('overpayment', `You owe ${formatKd(account.posted_fils)} in posted purchases; pay at most that.`,
      { postedBalance: account.posted_fils });
  }
  if (from.balance_fils < input.amount) {
    throw new ServiceError('insufficient_funds', 'The current account does not have enough funds for this payment.');
  }
  const id = newId('pay', nowMs);
  await insertPosted(trx, { accountId: account.id, debit: currentLedger(from.id), credit: cardLedger(account.id),
    amountFils: input.amount, reference: `payment:${id}`, nowMs });
  await trx.updateTable('current_accounts').set({ balance_fils: from.balance_fils - input.amount }).where('id', '=', from.id).execute();
  const postedFils = account.posted_fils - input.amount;
  await trx.updateTable('card_accounts').set({ posted_fils: postedFils }).where('id', '=', account.id).execute();
  await trx.insertInto('payments').values({ id, account_id: account.id, from_account_id: from.id, amount_fils: input.amount, created_at: nowMs }).execute();
  await appendAudit(trx, { accountId: account.id, actorType: actor.type, actorId: actor.id,
    sourceIp: actor.ip, action: 'payment.posted', subject: id,
    before: { postedFils: account.posted_fils, currentBalanceFils: from.balance_fils },
    after: { postedFils, currentBalanceFils: from.balance_fils - input.amount, amountFils: input.amount, fromAccountId: from.id }, nowMs });
  await addNotification(trx, { customerId, accountId: account.id, cardId: card.id, kind: 'payment_posted', severity: 'info',
    message: `Payment of ${formatKd(input.amount)} received. Thank you.`, data: { paymentId: id, amount: input.amount }, nowMs });
  const balances = { limitFils: account.limit_fils, postedFils, heldFils: account.held_fils };
  return {
    id, cardId: card.id, accountId: account.id, fromAccountId: from.id, amount: input.amount, currency: 'KWD', status: 'posted',
    outstanding: outstandingFils(balances), available: availableFils(balances), createdAt: new Date(nowMs).toISOString(),
  };
}
