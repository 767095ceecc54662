// An advice replaces the decision the issuer (or an earlier advice) took for the same
// acquirerId + rrn (SPEC §5): the network's decision stands. The old decision's hold is released;
// if it had spent the over-limit allowance, the allowance comes back (that decision no longer
// stands), and the advice spends it again only if it goes past the limit itself.
import { nextAllowance } from '../../domain/over-limit-allowance.js';
import { appendAudit } from '../../store/audit.repository.js';
import { lockAccount, overLimitAllowanceOf, overLimitColumns } from '../../store/cards.repository.js';
import type { Trx } from '../../store/db.js';
import { voidPending } from '../../store/ledger.repository.js';
import type { Authorization } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';

export interface Replacement { replaced: Authorization; by: string; networkClient: string; nowMs: number }

export async function releaseReplaced(trx: Trx, ctx: ServiceContext, r: Replacement): Promise<void> {
  const { nowMs } = r;
  const account = r.replaced.account_id ? await lockAccount(trx, ctx.handle.dialect, r.replaced.account_id) : undefined;
  // Re-read under the account lock: a reversal or a clearing may have moved it meanwhile.
  const old = (await trx.selectFrom('authorizations').selectAll().where('id', '=', r.replaced.id).executeTakeFirstOrThrow());
  const releasedFils = old.status === 'pending' && old.hold_transfer_id
    ? await voidPending(trx, old.hold_transfer_id, `advice:${r.by}`, nowMs) : 0;
  await trx.updateTable('authorizations').set({
    superseded_by: r.by, updated_at: nowMs,
    // A pending decision is withdrawn (shown as reversed); a settled one keeps its history.
    ...(old.status === 'pending' ? { status: 'reversed' as const, hold_fils: 0, hold_transfer_id: null } : {}),
  }).where('id', '=', old.id).execute();
  // A withdrawn pending decision is reversed in full: if it spent the allowance, it gives it back.
  let givesAllowanceBack = false;
  if (account) {
    const allowance = overLimitAllowanceOf(account);
    const nextOverLimit = old.status === 'pending' ? nextAllowance(allowance, { type: 'fully_reversed', authorizationId: old.id }) : allowance;
    givesAllowanceBack = allowance.used && !nextOverLimit.used;
    if (releasedFils > 0 || givesAllowanceBack) {
      await trx.updateTable('card_accounts').set({
        held_fils: account.held_fils - releasedFils, ...overLimitColumns(nextOverLimit),
      }).where('id', '=', account.id).execute();
    }
  }
  await appendAudit(trx, {
    accountId: old.account_id, actorType: 'network', actorId: r.networkClient, action: 'authorization.superseded_by_advice',
    subject: old.id, before: { status: old.status, holdFils: old.hold_fils },
    after: { supersededBy: r.by, holdFils: old.status === 'pending' ? 0 : old.hold_fils, overLimitRestored: givesAllowanceBack },
    nowMs,
  });
}
