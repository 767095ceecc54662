// Bank staff create customers with a current account (SPEC §6 admin API).
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../crypto/password.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import { BANK_OPENING_BALANCES, currentLedger, insertPosted } from '../../store/ledger.repository.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { Actor, ServiceContext } from '../context.js';
import { fieldError, notFound, ServiceError } from '../errors.js';

export interface NewCustomer { username: string; password: string; name: string; currentAccountBalance: number; language?: 'en' | 'ar' }

export async function createCustomer(ctx: ServiceContext, input: NewCustomer, actor: Actor) {
  // Also checked here, not only by the HTTP schema: every caller (the demo seed, scripts) sets a password through this verb.
  if (input.password.length < MIN_PASSWORD_LENGTH) throw fieldError('password', `at least ${MIN_PASSWORD_LENGTH} characters`);
  const passwordHash = await hashPassword(input.password, ctx.passwordScryptLog2N);
  try {
    return await inTransaction(ctx.handle, async (trx) => {
      const nowMs = ctx.clock.now();
      const id = newId('cus', nowMs);
      const currentAccountId = newId('ca', nowMs);
      await trx.insertInto('customers').values({
        id, username: input.username, password_hash: passwordHash, name: input.name,
        language: input.language ?? 'en', totp_secret: null, totp_pending: null, totp_last_step: 0, created_at: nowMs,
      }).execute();
      await trx.insertInto('current_accounts').values({
        id: currentAccountId, customer_id: id, balance_fils: input.currentAccountBalance, currency: 'KWD', created_at: nowMs,
      }).execute();
      // The opening balance enters the ledger too, so every current-account balance is the sum of its entries.
      if (input.currentAccountBalance > 0) {
        await insertPosted(trx, { accountId: null, debit: BANK_OPENING_BALANCES, credit: currentLedger(currentAccountId),
          amountFils: input.currentAccountBalance, reference: `opening:${currentAccountId}`, nowMs });
      }
      await appendAudit(trx, {
        actorType: actor.type, actorId: actor.id, sourceIp: actor.ip, action: 'customer.created',
        subject: id, after: { username: input.username, currentAccountId, balanceFils: input.currentAccountBalance }, nowMs,
      });
      return { id, username: input.username, name: input.name, currentAccountId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ServiceError('username_taken', 'That username is taken.');
    throw error;
  }
}

export async function getCustomer(ctx: ServiceContext, id: string) {
  const { db } = ctx.handle;
  const customer = await db.selectFrom('customers').select(['id', 'username', 'name', 'language', 'created_at', 'totp_secret'])
    .where('id', '=', id).executeTakeFirst();
  if (!customer) throw notFound('Customer');
  const accounts = await db.selectFrom('current_accounts').selectAll().where('customer_id', '=', id).execute();
  const cards = await db.selectFrom('cards').select(['id', 'status', 'bin', 'last4', 'account_id']).where('customer_id', '=', id).execute();
  return {
    id: customer.id,
    username: customer.username,
    name: customer.name,
    language: customer.language,
    totpEnrolled: customer.totp_secret !== null,
    createdAt: new Date(customer.created_at).toISOString(),
    currentAccountId: accounts[0]?.id ?? null,
    currentAccounts: accounts.map((a) => ({ id: a.id, balance: a.balance_fils, currency: a.currency })),
    cards: cards.map((c) => ({ id: c.id, status: c.status, accountId: c.account_id, last4: c.last4 })),
  };
}
