import type { Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';

const rateByCurrency = prepared<{ currency: string }, { rate: string }>((db) =>
  db.selectFrom('fx_rates').select('rate').where('currency', '=', param('currency')));

export async function findRate(db: Executor, currencyNumeric: string): Promise<string | undefined> {
  const row = await rateByCurrency.first(db, { currency: currencyNumeric });
  return row?.rate;
}

export async function upsertRate(db: Executor, currencyNumeric: string, rate: string, nowMs: number): Promise<void> {
  await db.insertInto('fx_rates').values({ currency: currencyNumeric, rate, updated_at: nowMs })
    .onConflict((oc) => oc.column('currency').doUpdateSet({ rate, updated_at: nowMs }))
    .execute();
}

export async function listRates(db: Executor) {
  return db.selectFrom('fx_rates').selectAll().orderBy('currency').execute();
}
