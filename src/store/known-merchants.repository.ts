// The merchants a card account knows: those where an approved purchase or an account verification
// proved the card (domain/rules.ts, PROVES_CARD_RULES). Credential on file names one of them by id
// (the authorization itself); 3-D Secure asks whether there is any at a merchant (known_merchants,
// one row per account and merchant, written by the first such authorization there).
import { sql } from 'kysely';
import type { QueryCreator } from 'kysely';
import { PROVES_CARD_RULES } from '../domain/rules.js';
import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import type { Authorization, Database } from './schema.js';

const PROVES_CARD = sql<boolean>`rule_id IN (${sql.join([...PROVES_CARD_RULES].map((rule) => sql.lit(rule)))})`;

const storedCredential = prepared<{ id: string; accountId: string; merchantId: string }, { id: string }>((db) =>
  db.selectFrom('authorizations').select('id')
    .where('id', '=', param('id')).where('account_id', '=', param('accountId'))
    .where('merchant_id', '=', param('merchantId')).where(PROVES_CARD));

const knownMerchant = prepared<{ accountId: string; merchantId: string }, { account_id: string }>((db) =>
  db.selectFrom('known_merchants').select('account_id')
    .where('account_id', '=', param('accountId')).where('merchant_id', '=', param('merchantId')));

/**
 * The insert that makes a merchant known, values named `k_account` and `k_merchant`: a statement of
 * its own on SQLite, a CTE of the authorization's write on PostgreSQL (authorization-writes.repository.ts).
 * A merchant already known writes nothing.
 */
export const knownMerchantInsert = (db: QueryCreator<Database>) => db.insertInto('known_merchants')
  .values({ account_id: param('k_account'), merchant_id: param('k_merchant') })
  .onConflict((oc) => oc.columns(['account_id', 'merchant_id']).doNothing());

const rememberMerchant = prepared<{ k_account: string; k_merchant: string }, never>((db) => knownMerchantInsert(db));

/** The insert's values when this authorization row makes its merchant known to its account, else null. */
export function knownMerchantValues(row: Pick<Authorization, 'account_id' | 'rule_id' | 'merchant_id'>): { k_account: string; k_merchant: string } | null {
  return row.account_id !== null && PROVES_CARD_RULES.has(row.rule_id) ? { k_account: row.account_id, k_merchant: row.merchant_id } : null;
}

/** Records the row's merchant as known to its account, when the row proves the card there. */
export async function rememberKnownMerchant(db: Executor, row: Pick<Authorization, 'account_id' | 'rule_id' | 'merchant_id'>): Promise<void> {
  const values = knownMerchantValues(row);
  if (values) await rememberMerchant.execute(db, values);
}

/** Whether `id` is an approved purchase or a verification of this card account at this merchant. */
export async function findStoredCredential(db: Executor, q: { id: string; accountId: string; merchantId: string }): Promise<boolean> {
  return (await storedCredential.first(db, q)) !== undefined;
}

/** Whether the card account has an approved purchase or a verification at this merchant. */
export async function isKnownMerchant(db: Executor, q: { accountId: string; merchantId: string }): Promise<boolean> {
  return (await knownMerchant.first(db, q)) !== undefined;
}
