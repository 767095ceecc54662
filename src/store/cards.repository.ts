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

/** The card columns an authorization reads (rules, CVV2, 3-D Secure, card-testing guard, notifications). */
export const AUTHORIZING_CARD_COLUMNS = [
  'id', 'account_id', 'customer_id', 'status', 'expiry', 'last4', 'pan_fingerprint', 'verification_failures',
] as const;
export type AuthorizingCard = Pick<Card, (typeof AUTHORIZING_CARD_COLUMNS)[number]>;

/** The account columns an authorization reads (limits, product, the hold it adds, the chain heads it moves). */
export const AUTHORIZING_ACCOUNT_COLUMNS = [
  'id', 'product_code', 'status', 'limit_fils', 'posted_fils', 'held_fils', 'over_limit_enabled', 'over_limit_used',
  'last_authorization_id', 'last_authorization_at', 'last_notified_authorization_id',
] as const;
export type AuthorizingAccount = Pick<CardAccount, (typeof AUTHORIZING_ACCOUNT_COLUMNS)[number]>;

// Every authorization: only the columns it needs (no ciphertext, no timestamps to decode).
const authorizingCardByFingerprint = prepared<{ fingerprint: string }, AuthorizingCard>((db) =>
  db.selectFrom('cards').select(AUTHORIZING_CARD_COLUMNS).where('pan_fingerprint', '=', param('fingerprint')));
const authorizingAccountById = prepared<{ id: string }, AuthorizingAccount>((db) =>
  db.selectFrom('card_accounts').select(AUTHORIZING_ACCOUNT_COLUMNS).where('id', '=', param('id')));

// PostgreSQL: the card and its account, the account locked, in one statement (one round trip of
// the dozen an authorization sends; a waiting lock returns the account as committed by the holder).
const ACCOUNT_PREFIX = 'account_';
const authorizingCardWithLockedAccount = prepared<{ fingerprint: string }, Record<string, unknown>>((db) =>
  db.selectFrom('cards as c').innerJoin('card_accounts as a', 'a.id', 'c.account_id')
    .select(AUTHORIZING_CARD_COLUMNS.map((c) => `c.${c}` as const))
    .select(AUTHORIZING_ACCOUNT_COLUMNS.map((c) => `a.${c} as ${ACCOUNT_PREFIX}${c}` as const))
    .where('c.pan_fingerprint', '=', param('fingerprint')).forUpdate('a'));

/**
 * The card an authorization is for and its account, the account locked on PostgreSQL (SQLite's one
 * writer needs no lock): two prepared reads on SQLite, one joined read on PostgreSQL.
 */
export async function findAuthorizingCardAndAccount(trx: Executor, dialect: Dialect, fingerprint: string): Promise<{ card?: AuthorizingCard; account?: AuthorizingAccount }> {
  if (dialect === 'sqlite') {
    const card = await authorizingCardByFingerprint.first(trx, { fingerprint });
    return card ? { card, account: await authorizingAccountById.first(trx, { id: card.account_id }) } : {};
  }
  const row = await authorizingCardWithLockedAccount.first(trx, { fingerprint });
  if (!row) return {};
  const card = {} as Record<string, unknown>;
  const account = {} as Record<string, unknown>;
  for (const c of AUTHORIZING_CARD_COLUMNS) card[c] = row[c];
  for (const c of AUTHORIZING_ACCOUNT_COLUMNS) account[c] = row[`${ACCOUNT_PREFIX}${c}`];
  return { card: card as AuthorizingCard, account: account as AuthorizingAccount };
}

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
