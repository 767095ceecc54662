// Posts one clearing record (SPEC §5) inside the caller's transaction.
//   sale   — matches its authorization by acquirerId + rrn (+ authCode), bills the final amount
//            (the network's billingAmount plus markup when given, else the clearing day's rate),
//            shrinks the hold and posts; with no authorization it still posts to the PAN's
//            account, flagged for review. A split shipment clears one authorization in parts:
//            each part releases its share of the hold, the last part whatever is left.
//   refund — credits the account (network:settlement → card) and is posted; with the acquirerId +
//            rrn of a refund authorization it posts that refund (the authorization is `cleared`).
// A repeat (same acquirerId + rrn + processingCode + clearingSequence) posts nothing:
// clearings.record_key is unique.
import {
  CLEARING_REJECT, clearingKind, clearingRecordKey, isValidSplit, partReleaseFils, type ClearingKind, type ClearingRejectReason,
} from '../../domain/clearing.js';
import { findCurrency } from '../../domain/currencies.js';
import { toBillingFils, withMarkupFils, type Conversion } from '../../domain/fx.js';
import { formatKd } from '../../domain/money.js';
import { isValidPan } from '../../domain/pan.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { findCardByFingerprint, lockAccount } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { findRate } from '../../store/fx.repository.js';
import { cardLedger, insertPending, insertPosted, NETWORK_SETTLEMENT, voidPending } from '../../store/ledger.repository.js';
import { addNotification } from '../../store/notifications.repository.js';
import { findProduct } from '../../store/products.repository.js';
import type { Authorization, CardAccount } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';
import type { ClearingRecord, ClearingResult } from './record.js';

export interface ClearRecordOutcome { result: Omit<ClearingResult, 'index'>; notify: string[] }

const rejected = (reason: ClearingRejectReason): ClearRecordOutcome =>
  ({ result: { status: 'rejected', code: CLEARING_REJECT[reason], ...(reason === 'invalid_clearing_sequence' ? { reason } : {}) }, notify: [] });

/**
 * The authorization a record settles: approved, same acquirer and RRN, same auth code if given, and
 * of its kind (a refund clearing settles a refund authorization, a sale anything else), and the
 * calling client's own (SPEC §6: another client's is no match).
 */
async function findAuthorization(trx: Trx, r: ClearingRecord, kind: ClearingKind, networkClient: string): Promise<Authorization | undefined> {
  let q = trx.selectFrom('authorizations').selectAll()
    .where('acquirer_id', '=', r.acquirerId).where('rrn', '=', r.rrn).where('approved', '=', 1)
    .where('processing_code', kind === 'refund' ? 'like' : 'not like', '20%')
    .where('network_client', '=', networkClient);
  if (r.authCode) q = q.where('auth_code', '=', r.authCode);
  return q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

async function accountIdForPan(trx: Trx, ctx: ServiceContext, pan: string | undefined): Promise<string | null> {
  if (!pan || !isValidPan(pan)) return null;
  const card = await findCardByFingerprint(trx, ctx.keyring.fingerprint(pan));
  return card?.account_id ?? null;
}

async function convert(trx: Trx, account: CardAccount, r: ClearingRecord): Promise<Conversion | null> {
  const currency = findCurrency(r.currency);
  if (!currency || currency.numeric !== r.currency) return null;
  if (currency.alpha === 'KWD') return toBillingFils(r.amount, currency, '1', 0);
  const product = (await findProduct(trx, account.product_code))!;
  // The network's conversion, when given, is billed with our markup; the rate recorded says so.
  if (r.billingAmount !== undefined) return { billingFils: withMarkupFils(r.billingAmount, product.fxMarkupBps), rate: 'network' };
  const rate = await findRate(trx, currency.numeric);
  if (!rate) return null;
  return toBillingFils(r.amount, currency, rate, product.fxMarkupBps);
}

export async function clearRecord(trx: Trx, ctx: ServiceContext, r: ClearingRecord, networkClient: string): Promise<ClearRecordOutcome> {
  const nowMs = ctx.clock.now();
  const kind = clearingKind(r.processingCode);
  if (!kind) return rejected('transaction_not_permitted');
  if (r.amount <= 0) return rejected('invalid_amount');
  if (!isValidSplit(r.clearingSequence, r.clearingCount)) return rejected('invalid_clearing_sequence');
  const recordKey = clearingRecordKey(r);
  const seen = await trx.selectFrom('clearings').select('id').where('record_key', '=', recordKey).executeTakeFirst();
  if (seen) return { result: { status: 'duplicate', transactionId: seen.id }, notify: [] };

  const matched = await findAuthorization(trx, r, kind, networkClient);
  // A refund without a refund authorization may carry its purchase's acquirerId + rrn: that names
  // the account (the purchase itself stays as it is).
  const purchase = !matched && kind === 'refund' ? await findAuthorization(trx, r, 'sale', networkClient) : undefined;
  const accountId = matched?.account_id ?? purchase?.account_id ?? await accountIdForPan(trx, ctx, r.pan);
  if (!accountId) return rejected(r.pan ? 'invalid_card' : 'unknown_original');
  const account = (await lockAccount(trx, ctx.handle.dialect, accountId))!;
  // Re-read under the account lock: a reversal or the expiry job may have moved it meanwhile.
  const auth = matched
    ? (await trx.selectFrom('authorizations').selectAll().where('id', '=', matched.id).executeTakeFirst())!
    : undefined;
  // A second instance may have posted the same record while we waited for the lock.
  const raced = await trx.selectFrom('clearings').select('id').where('record_key', '=', recordKey).executeTakeFirst();
  if (raced) return { result: { status: 'duplicate', transactionId: raced.id }, notify: [] };
  const conversion = await convert(trx, account, r);
  if (!conversion) return rejected('unsupported_currency');

  const id = newId('clr', nowMs);
  const posting = kind === 'refund'
    ? await postRefund(trx, { id, account, auth, amountFils: conversion.billingFils, nowMs,
      purchaseFound: await refundsKnownPurchase(trx, r, account.id, networkClient) })
    : await postSale(trx, { id, account, auth, record: r, amountFils: conversion.billingFils, nowMs });
  const status = kind === 'sale' && !auth ? 'posted_unmatched' : 'posted';
  await trx.insertInto('clearings').values({
    id, account_id: account.id, authorization_id: auth?.id ?? null, record_key: recordKey, status,
    processing_code: r.processingCode, amount: r.amount, currency: r.currency, billing_fils: conversion.billingFils,
    fx_rate: conversion.rate, difference_fils: posting.differenceFils, mcc: r.mcc, merchant_name: r.merchantName,
    needs_review: posting.needsReview ? 1 : 0, created_at: nowMs,
    clearing_sequence: r.clearingSequence, clearing_count: r.clearingCount,
  }).execute();
  await appendAudit(trx, {
    accountId: account.id, actorType: 'network', actorId: networkClient,
    action: kind === 'refund' ? 'clearing.refund_posted' : `clearing.${status}`, subject: id,
    after: { authorizationId: auth?.id ?? null, billingFils: conversion.billingFils, rate: conversion.rate,
      releasedHoldFils: posting.releasedFils, remainingHoldFils: posting.remainingHoldFils, differenceFils: posting.differenceFils,
      needsReview: posting.needsReview, clearingSequence: r.clearingSequence, clearingCount: r.clearingCount },
    nowMs,
  });
  const notify = kind === 'refund' ? await notifyRefund(trx, account, r, conversion.billingFils, nowMs) : [];
  return { result: { status, transactionId: id, ...(posting.needsReview ? { needsReview: true } : {}) }, notify };
}

interface SaleArgs {
  id: string; account: CardAccount; auth: Authorization | undefined; record: ClearingRecord; amountFils: number; nowMs: number;
}
interface Posting { releasedFils: number; remainingHoldFils: number; differenceFils: number | null; needsReview: boolean }

/**
 * Shrinks the hold by this part's share (all of it for the last part, or a record not split) and
 * posts the final amount. The difference is final minus what this part released (a late clearing
 * of an expired hold differs by its whole amount). The authorization becomes `cleared` (shown as
 * posted) with its last part; a part after the hold expired still posts. A clearing of a fully
 * reversed authorization still posts (the network's rule) but leaves the authorization `reversed`
 * and asks for review.
 */
async function postSale(trx: Trx, a: SaleArgs): Promise<Posting> {
  const { account, auth, record: r, nowMs } = a;
  const last = r.clearingSequence === r.clearingCount;
  let releasedFils = 0;
  let remainingHoldFils = 0;
  if (auth?.status === 'pending' && auth.hold_transfer_id) {
    const sameCurrency = r.currency === auth.currency;
    const authorizedFils = auth.billing_fils ?? auth.hold_fils;
    releasedFils = partReleaseFils({
      heldFils: auth.hold_fils, authorizedFils,
      // A part in another currency than its authorization: its own billing amount is its share.
      authorizedMinor: sameCurrency ? auth.amount : authorizedFils, partMinor: sameCurrency ? r.amount : a.amountFils,
      last,
    });
    remainingHoldFils = auth.hold_fils - releasedFils;
    if (releasedFils > 0) await shrinkHold(trx, account.id, auth, remainingHoldFils, a.id, nowMs);
  } else if (auth?.status === 'pending') {
    remainingHoldFils = auth.hold_fils;
  }
  if (auth && last && auth.status !== 'reversed' && auth.status !== 'cleared') {
    await trx.updateTable('authorizations').set({ status: 'cleared', hold_fils: 0, hold_transfer_id: null, updated_at: nowMs })
      .where('id', '=', auth.id).execute();
  }
  await insertPosted(trx, { accountId: account.id, debit: cardLedger(account.id), credit: NETWORK_SETTLEMENT,
    amountFils: a.amountFils, reference: `clearing:${a.id}`, nowMs });
  await trx.updateTable('card_accounts').set({
    posted_fils: account.posted_fils + a.amountFils, held_fils: account.held_fils - releasedFils,
  }).where('id', '=', account.id).execute();
  return {
    releasedFils,
    remainingHoldFils,
    differenceFils: auth ? a.amountFils - releasedFils : null,
    // No authorization, one the merchant had cancelled, or a card account already closed: a person looks.
    needsReview: !auth || auth.status === 'reversed' || account.status === 'closed',
  };
}

/** Replaces the hold's pending transfer by one for what stays held (none when nothing does). */
async function shrinkHold(trx: Trx, accountId: string, auth: Authorization, remainingFils: number, clearingId: string, nowMs: number) {
  await voidPending(trx, auth.hold_transfer_id!, `clearing:${clearingId}`, nowMs);
  const newHoldId = remainingFils > 0
    ? await insertPending(trx, { accountId, debit: cardLedger(accountId), credit: NETWORK_SETTLEMENT,
      amountFils: remainingFils, reference: `authorization:${auth.id}`, nowMs })
    : null;
  await trx.updateTable('authorizations').set({ hold_fils: remainingFils, hold_transfer_id: newHoldId, updated_at: nowMs })
    .where('id', '=', auth.id).execute();
}

/** Whether a refund's originalRrn names an approved purchase of this card account from the same acquirer (and client). */
async function refundsKnownPurchase(trx: Trx, r: ClearingRecord, accountId: string, networkClient: string): Promise<boolean> {
  if (r.originalRrn === undefined) return false;
  const purchase = await trx.selectFrom('authorizations').select('id')
    .where('account_id', '=', accountId).where('acquirer_id', '=', r.acquirerId).where('rrn', '=', r.originalRrn)
    .where('network_client', '=', networkClient).where('approved', '=', 1).where('processing_code', 'not like', '20%')
    .limit(1).executeTakeFirst();
  return purchase !== undefined;
}

async function postRefund(trx: Trx, a: { id: string; account: CardAccount; auth: Authorization | undefined; amountFils: number; nowMs: number; purchaseFound: boolean }): Promise<Posting> {
  // A refund authorization holds nothing: its clearing only moves it from pending (or expired) to posted.
  if (a.auth) {
    await trx.updateTable('authorizations').set({ status: 'cleared', updated_at: a.nowMs }).where('id', '=', a.auth.id).execute();
  }
  await insertPosted(trx, { accountId: a.account.id, debit: NETWORK_SETTLEMENT, credit: cardLedger(a.account.id),
    amountFils: a.amountFils, reference: `clearing:${a.id}`, nowMs: a.nowMs });
  await trx.updateTable('card_accounts').set({ posted_fils: a.account.posted_fils - a.amountFils })
    .where('id', '=', a.account.id).execute();
  return { releasedFils: 0, remainingHoldFils: 0, differenceFils: null, needsReview: a.account.status === 'closed' || !a.purchaseFound };
}

async function notifyRefund(trx: Trx, account: CardAccount, r: ClearingRecord, amountFils: number, nowMs: number): Promise<string[]> {
  await addNotification(trx, { customerId: account.customer_id, accountId: account.id, kind: 'refund_posted', severity: 'info',
    message: `Refund of ${formatKd(amountFils)} from ${r.merchantName} credited to your card.`,
    data: { amount: amountFils, merchantName: r.merchantName }, nowMs });
  return [account.customer_id];
}
