// Issues a card on a new card account (SPEC §2): PAN = BIN + CSPRNG digits + Luhn, encrypted at
// rest with a fingerprint for look-up; CVV2 derived, never stored; expiry 3 years out.
import { FRESH_OVER_LIMIT_ALLOWANCE, nextAllowance } from '../../domain/over-limit-allowance.js';
import { expiryFor, generatePan } from '../../domain/pan.js';
import { DEFAULT_PRODUCT_CODE } from '../../domain/product.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { overLimitAllowanceOf, overLimitColumns } from '../../store/cards.repository.js';
import type { Executor, Trx } from '../../store/db.js';
import { addNotification } from '../../store/notifications.repository.js';
import { findProduct } from '../../store/products.repository.js';
import type { Card } from '../../store/schema.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError, ServiceError } from '../errors.js';
import { cardView, type CardView } from './card-view.js';

const PAN_ATTEMPTS = 5;

export async function requestCard(ctx: ServiceContext, customerId: string, limitFils: number, actor: Actor): Promise<CardView> {
  try {
    return await inTransaction(ctx.handle, async (trx) => {
      const nowMs = ctx.clock.now();
      const product = (await findProduct(trx, DEFAULT_PRODUCT_CODE))!;
      if (!product.allowedLimits.includes(limitFils)) {
        throw fieldError('limit', `must be one of ${product.allowedLimits.join(', ')} (fils)`);
      }
      const open = await trx.selectFrom('card_accounts').select('id')
        .where('customer_id', '=', customerId).where('product_code', '=', product.code).where('status', '=', 'open')
        .executeTakeFirst();
      if (open) throw new ServiceError('card_exists', 'You already have an Internet Shopping Card. Change its limit instead.');
      // The over-limit allowance follows the customer across card accounts (SPEC §3): carried
      // from an earlier account that spent it, else a fresh one. Found through the customer's
      // cards (indexed; every account is issued with its card): card_accounts has no index by
      // customer, and a scan of a million accounts would hold the network's thread.
      const spentBefore = await trx.selectFrom('cards as c').innerJoin('card_accounts as a', 'a.id', 'c.account_id')
        .select(['a.over_limit_enabled', 'a.over_limit_used', 'a.over_limit_auth_id', 'a.over_limit_used_at'])
        .where('c.customer_id', '=', customerId).where('a.over_limit_used', '=', 1).limit(1).executeTakeFirst();
      const overLimit = nextAllowance(spentBefore ? overLimitAllowanceOf(spentBefore) : FRESH_OVER_LIMIT_ALLOWANCE, { type: 'carried_to_new_account' });
      const accountId = newId('acct', nowMs);
      await trx.insertInto('card_accounts').values({
        id: accountId, customer_id: customerId, product_code: product.code, limit_fils: limitFils,
        posted_fils: 0, held_fils: 0, ...overLimitColumns(overLimit), status: 'open', created_at: nowMs, closed_at: null,
      }).execute();
      const card = await issueCardOnAccount(trx, ctx, { accountId, customerId, bin: product.bin, nowMs });
      await appendAudit(trx, {
        accountId, actorType: actor.type, actorId: actor.id, sourceIp: actor.ip,
        action: 'card.issued', subject: card.id, after: { limitFils, last4: card.last4, expiry: card.expiry }, nowMs,
      });
      await addNotification(trx, { customerId, accountId, cardId: card.id, kind: 'card_issued', severity: 'info',
        message: `Your Internet Shopping Card ending ${card.last4} is ready.`, nowMs });
      const account = (await trx.selectFrom('card_accounts').selectAll().where('id', '=', accountId).executeTakeFirst())!;
      return cardView(card, account, product);
    });
  } catch (error) {
    // Two requests raced past the check: the unique index on open accounts stopped the second.
    if (isUniqueViolation(error)) throw new ServiceError('card_exists', 'You already have an Internet Shopping Card.');
    throw error;
  }
}

/** Generates a unique PAN and inserts the card. Used for new cards and replacements. */
export async function issueCardOnAccount(trx: Trx | Executor, ctx: ServiceContext, a: { accountId: string; customerId: string; bin: string; nowMs: number }): Promise<Card> {
  for (let attempt = 0; attempt < PAN_ATTEMPTS; attempt++) {
    const pan = generatePan(a.bin);
    const fingerprint = ctx.keyring.fingerprint(pan);
    const taken = await trx.selectFrom('cards').select('id').where('pan_fingerprint', '=', fingerprint).executeTakeFirst();
    if (taken) continue;
    const id = newId('card', a.nowMs);
    const sealed = ctx.keyring.encrypt(pan, `pan:${id}`);
    const card: Card = {
      id, account_id: a.accountId, customer_id: a.customerId, status: 'active', status_reason: null,
      pan_ciphertext: sealed.ciphertext, pan_key_id: sealed.keyId, pan_fingerprint: fingerprint,
      bin: a.bin, last4: pan.slice(-4), expiry: expiryFor(a.nowMs), verification_failures: 0,
      replaced_by: null, created_at: a.nowMs, updated_at: a.nowMs,
    };
    await trx.insertInto('cards').values(card).execute();
    return card;
  }
  throw new Error('could not generate a unique PAN');
}

/** Decrypts a card's PAN. Only reveal and 3-D Secure call this; the result is never logged. */
export function decryptPan(ctx: Pick<ServiceContext, 'keyring'>, card: Pick<Card, 'id' | 'pan_ciphertext' | 'pan_key_id'>): string {
  return ctx.keyring.decrypt(card.pan_ciphertext, card.pan_key_id, `pan:${card.id}`);
}

/**
 * Like decryptPan, but first loads the data key if this process has not seen it (keys:rotate or
 * another instance may have re-encrypted the PAN). Pass the transaction when inside one.
 */
export function openPan(ctx: Pick<ServiceContext, 'keyring'>, card: Pick<Card, 'id' | 'pan_ciphertext' | 'pan_key_id'>, db?: Executor): Promise<string> {
  return ctx.keyring.open(card.pan_ciphertext, card.pan_key_id, `pan:${card.id}`, db);
}
