// 3-D Secure authentications (SPEC §7): one row per request from a gateway.
import type { Executor } from './db.js';
import type { ThreeDsAuthentication } from './schema.js';

export async function insertAuthentication(db: Executor, row: ThreeDsAuthentication): Promise<void> {
  await db.insertInto('three_ds_authentications').values(row).execute();
}

/** Only the network client that created an authentication can read it. */
export async function findClientAuthentication(db: Executor, networkClient: string, id: string) {
  return db.selectFrom('three_ds_authentications').selectAll()
    .where('id', '=', id).where('network_client', '=', networkClient).executeTakeFirst();
}

export async function findCustomerAuthentication(db: Executor, customerId: string, id: string) {
  return db.selectFrom('three_ds_authentications').selectAll()
    .where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
}

export async function findAuthenticationByCavvRef(db: Executor, ref: string) {
  return db.selectFrom('three_ds_authentications').selectAll().where('cavv_ref', '=', ref).executeTakeFirst();
}

export async function listOpenChallenges(db: Executor, customerId: string, nowMs: number) {
  return db.selectFrom('three_ds_authentications').selectAll()
    .where('customer_id', '=', customerId).where('trans_status', '=', 'C').where('expires_at', '>', nowMs)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(50).execute();
}

/** Moves a challenge on, only if it is still open: returns false when someone else decided first. */
export async function decideChallenge(db: Executor, id: string, to: { trans_status: 'Y' | 'N'; eci: string | null; cavv_ref: string | null; decided_at: number; expires_at: number }, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('three_ds_authentications').set(to)
    .where('id', '=', id).where('trans_status', '=', 'C').where('expires_at', '>', nowMs).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Settles unanswered challenges past their deadline as "N" (lazily on read, and by the job). */
export async function expireChallenge(db: Executor, id: string, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('three_ds_authentications').set({ trans_status: 'N', decided_at: nowMs })
    .where('id', '=', id).where('trans_status', '=', 'C').where('expires_at', '<=', nowMs).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a CAVV used; false when it already was (a replay, or a concurrent twin). */
export async function consumeCavvByRef(db: Executor, ref: string, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('three_ds_authentications').set({ cavv_used_at: nowMs })
    .where('cavv_ref', '=', ref).where('cavv_used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
