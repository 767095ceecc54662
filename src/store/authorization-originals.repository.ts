// Finds the authorization a reversal names by its original's identity (ISO 8583 DE 90: acquirer,
// STAN, transmission time) rather than by id or RRN: the idempotency keys that identity can have,
// looked up through the key's unique index, and only among the calling client's own business.
import type { Executor } from './db.js';

export async function findAuthorizationIdByKeys(db: Executor, keys: readonly string[], networkClient: string): Promise<string | undefined> {
  if (keys.length === 0) return undefined;
  const row = await db.selectFrom('authorizations').select('id')
    .where('idempotency_key', 'in', [...keys]).where('network_client', '=', networkClient)
    .orderBy('created_at', 'asc').limit(1).executeTakeFirst();
  return row?.id;
}
