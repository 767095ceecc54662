import type { OverLimitAllowance } from '../domain/over-limit-allowance.js';
import type { Dialect, Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import type { Card, CardAccount, CardStatus } from './schema.js';

// Compiled once, statements kept (an authorization reads through authorization-reads.repository.ts).
const cardByFingerprint = prepared<{ fingerprint: string }, Card>((db) =>
  db.selectFrom('cards').selectAll().where('pan_fingerprint', '=', param('fingerprint')));
const accountById = prepared<{ id: string }, CardAccount>((db) =>
  db.selectFrom('card_accounts').selectAll().where('id', '=', param('id')));
const accountByIdForUpdate = prepared<{ id: string }, CardAccount>((db) =>
  db.selectFrom('card_accounts').selectAll().where('id', '=', param('id')).forUpdate());

/** The card columns an authorization reads (rules, CVV2, 3-D Secure, card-testing guard, notifications). */
export const AUTHORIZING_CARD_COLUMNS = [
  'id', 'account_id', 'customer_id', 'status', 'expiry', 'last4', 'pan_fingerprint', 'verification_failures',
] as const;
export type AuthorizingCard = Pick<Card, (typeof AUTHORIZING_CARD_COLUMNS)[number]>;

/**
 * The account columns an authorization reads (limits, product, the hold it adds, the over-limit
 * allowance it may spend, the chain heads it moves).
 */
export const AUTHORIZING_ACCOUNT_COLUMNS = [
  'id', 'product_code', 'status', 'limit_fils', 'posted_fils', 'held_fils', 'over_limit_enabled', 'over_limit_used',
  'over_limit_auth_id', 'over_limit_used_at',
  'last_authorization_id', 'last_authorization_at', 'last_notified_authorization_id',
] as const;
export type AuthorizingAccount = Pick<CardAccount, (typeof AUTHORIZING_ACCOUNT_COLUMNS)[number]>;

export async function findCardByFingerprint(db: Executor, fingerprint: string): Promise<Card | undefined> {
  return cardByFingerprint.first(db, { fingerprint });
}

/**
 * Reads a card and, on PostgreSQL, takes its row lock for the rest of the transaction: a decision
 * on its status and card-testing count then sees what racing requests committed.
 */
export async function lockCardByFingerprint(trx: Executor, dialect: Dialect, fingerprint: string): Promise<Card | undefined> {
  if (dialect === 'sqlite') return cardByFingerprint.first(trx, { fingerprint });
  return trx.selectFrom('cards').selectAll().where('pan_fingerprint', '=', fingerprint).forUpdate().executeTakeFirst();
}

/** Owner-scoped: another customer's card is simply not found. */
export async function findCustomerCard(db: Executor, customerId: string, cardId: string): Promise<Card | undefined> {
  return db.selectFrom('cards').selectAll()
    .where('id', '=', cardId).where('customer_id', '=', customerId).executeTakeFirst();
}

export async function findCard(db: Executor, cardId: string): Promise<Card | undefined> {
  return db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirst();
}

export async function listCustomerCards(db: Executor, customerId: string): Promise<Card[]> {
  return db.selectFrom('cards').selectAll().where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function findAccount(db: Executor, accountId: string): Promise<CardAccount | undefined> {
  return db.selectFrom('card_accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
}

/**
 * Reads the card account and, on PostgreSQL, takes its row lock for the rest of the transaction,
 * so that limits and the over-limit allowance hold across connections and instances. On SQLite the
 * write transaction already serializes.
 */
export async function lockAccount(trx: Executor, dialect: Dialect, accountId: string): Promise<CardAccount | undefined> {
  return (dialect === 'postgres' ? accountByIdForUpdate : accountById).first(trx, { id: accountId });
}

export async function setCardStatus(db: Executor, cardId: string, status: CardStatus, reason: string | null, nowMs: number): Promise<void> {
  await db.updateTable('cards').set({ status, status_reason: reason, updated_at: nowMs }).where('id', '=', cardId).execute();
}

/** The columns that hold an account's over-limit allowance (domain/over-limit-allowance.ts). */
export type OverLimitColumns = Pick<CardAccount, 'over_limit_enabled' | 'over_limit_used' | 'over_limit_auth_id' | 'over_limit_used_at'>;

export function overLimitAllowanceOf(row: OverLimitColumns): OverLimitAllowance {
  return {
    enabled: row.over_limit_enabled === 1, used: row.over_limit_used === 1,
    usedByAuthorizationId: row.over_limit_auth_id, usedAtMs: row.over_limit_used_at,
  };
}

/** The allowance as its columns, written as they are: the transition decided them. */
export function overLimitColumns(a: OverLimitAllowance): OverLimitColumns {
  return {
    over_limit_enabled: a.enabled ? 1 : 0, over_limit_used: a.used ? 1 : 0,
    over_limit_auth_id: a.usedByAuthorizationId, over_limit_used_at: a.usedAtMs,
  };
}
