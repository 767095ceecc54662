// Unanswered challenges become "N" after 5 minutes (SPEC §7). Settled lazily whenever a row is
// read, so the answer is right whether or not a job has run, and audited once.
import { effectiveStatus } from '../../domain/three-ds.js';
import { appendAudit } from '../../store/audit.repository.js';
import type { Executor } from '../../store/db.js';
import type { ThreeDsAuthentication } from '../../store/schema.js';
import { expireChallenge } from '../../store/three-ds.repository.js';
import type { ServiceContext } from '../context.js';

export async function settleIfExpired(trx: Executor, ctx: ServiceContext, row: ThreeDsAuthentication): Promise<ThreeDsAuthentication> {
  const nowMs = ctx.clock.now();
  if (effectiveStatus(row, nowMs) === row.trans_status) return row;
  if (await expireChallenge(trx, row.id, nowMs)) {
    await appendAudit(trx, { accountId: row.account_id, actorType: 'system',
      actorId: 'three-ds-expiry', action: 'three_ds.expired', subject: row.id,
      before: { transStatus: 'C' }, after: { transStatus: 'N' }, nowMs });
  }
  return { ...row, trans_status: 'N', decided_at: row.decided_at ?? nowMs };
}
