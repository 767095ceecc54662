import type { Dialect, Executor } from './db.js';
import { param, prepared } from './prepared.js';
import type { Card, CardAccount, CardStatus } from './schema.js';

// Hot path (every authorization): compiled once, statements kept.
const cardByFingerprint = prepared<{ fingerprint: string }, Card>((db) =>
  db.selectFrom('cards').selectAll().where('pan_fingerprint', '=', param('fingerprint')));
const accountById = prepared<{ id: string }, CardAccount>((db) =>
  db.selectFrom('card_accounts').selectAll().where('id', '=', param('id')));
const accountByIdForUpdate = prepared<{ id: string }, CardAccount>((db) =>
  db.selectFrom('card_accounts').selectAll().where('id', '=', param('id')).forUpdate());

export async function findCardByFingerprint(db: Executor, fingerprint: string): Promise<Card | undefined> {
  return cardByFingerprint.first(db, { fingerprint });
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
 * so that limits and the one-time exceed hold across connections and instances. On SQLite the
 * write transaction already serializes.
 */
export async function lockAccount(trx: Executor, dialect: Dialect, accountId: string): Promise<CardAccount | undefined> {
  return (dialect === 'postgres' ? accountByIdForUpdate : accountById).first(trx, { id: accountId });
}

export async function setCardStatus(db: Executor, cardId: string, status: CardStatus, reason: string | null, nowMs: number): Promise<void> {
  await db.updateTable('cards').set({ status, status_reason: reason, updated_at: nowMs }).where('id', '=', cardId).execute();
}
