// Stored responses for the banking API's Idempotency-Key header: (scope, key) is the primary key,
// so two concurrent requests with one key cannot both commit.
import type { Executor } from './db.js';

export interface StoredResponse { requestHash: string; statusCode: number; body: unknown }

export async function findStoredResponse(db: Executor, scope: string, key: string): Promise<StoredResponse | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, body: JSON.parse(row.response) } : undefined;
}

export async function storeResponse(db: Executor, scope: string, key: string, r: StoredResponse, nowMs: number): Promise<void> {
  await db.insertInto('idempotency_keys').values({
    scope, key, request_hash: r.requestHash, status_code: r.statusCode, response: JSON.stringify(r.body), created_at: nowMs,
  }).execute();
}
