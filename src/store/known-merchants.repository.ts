// The merchants a card account knows: those where an approved purchase or an account verification
// proved the card (domain/rules.ts, PROVES_CARD_RULES). Credential on file names one of them by id;
// 3-D Secure asks whether there is any at a merchant (the authorizations_known_merchants index).
import { sql } from 'kysely';
import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';

// The literal list of the partial index's WHERE, written out the same: only then may SQLite use it.
const PROVES_CARD = sql<boolean>`rule_id IN ('approved', 'approved_over_limit', 'verified')`;

const storedCredential = prepared<{ id: string; accountId: string; merchantId: string }, { id: string }>((db) =>
  db.selectFrom('authorizations').select('id')
    .where('id', '=', param('id')).where('account_id', '=', param('accountId'))
    .where('merchant_id', '=', param('merchantId')).where(PROVES_CARD));

const knownMerchant = prepared<{ accountId: string; merchantId: string }, { id: string }>((db) =>
  db.selectFrom('authorizations').select('id')
    .where('account_id', '=', param('accountId')).where('merchant_id', '=', param('merchantId')).where(PROVES_CARD)
    .limit(1));

/** Whether `id` is an approved purchase or a verification of this card account at this merchant. */
export async function findStoredCredential(db: Executor, q: { id: string; accountId: string; merchantId: string }): Promise<boolean> {
  return (await storedCredential.first(db, q)) !== undefined;
}

/** Whether the card account has an approved purchase or a verification at this merchant. */
export async function isKnownMerchant(db: Executor, q: { accountId: string; merchantId: string }): Promise<boolean> {
  return (await knownMerchant.first(db, q)) !== undefined;
}
