// Releases holds whose lifetime has run out (SPEC §5): the pending transfer is voided, the
// authorization becomes `expired` and held_fils drops. An expired over-limit hold does NOT give the
// allowance back: its clearing may still arrive (SPEC §3), and a late clearing still posts.
// Idempotent and safe from two instances at once: each hold is released in its own transaction
// under the account lock, after re-checking that it is still pending (and the unique index on
// ledger_transfers.pending_id refuses a second void outright).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { appendAudit } from '../../store/audit.repository.js';
import { lockAccount } from '../../store/cards.repository.js';
import { voidPending } from '../../store/ledger.repository.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';

const BATCH = 500;

export async function expireHolds(ctx: ServiceContext, asOfMs: number, batch = BATCH): Promise<number> {
  let released = 0;
  let after = { expiresAt: -1, id: '' }; // before every hold (times are epoch ms)
  for (;;) {
    // Walks the partial open-holds index in (expires_at, id) order. 'pending' is a literal, not a
    // parameter: only then may SQLite use a partial index.
    const due = await ctx.handle.db.selectFrom('authorizations').select(['id', 'account_id', 'expires_at'])
      .where('status', '=', sql.lit('pending')).where('expires_at', '<=', asOfMs)
      // A row-value comparison, so that each page is a range seek in the index (not a rescan).
      .where((eb) => eb(eb.refTuple('expires_at', 'id'), '>', eb.tuple(after.expiresAt, after.id)))
      .orderBy('expires_at').orderBy('id').limit(batch).execute();
    for (const hold of due) {
      if (!hold.account_id) continue;
      try {
        if (await expireOne(ctx, hold.id, hold.account_id, asOfMs)) released += 1;
      } catch (error) {
        // One broken hold must not stop the others: walking in expiry order, it would be first in
        // line on every run, and every later hold (and its cardholder's credit) would stay frozen.
        ctx.logger.error({ err: error, authorizationId: hold.id }, 'hold expiry failed; the other holds go on');
      }
      // Each hold is its own transaction, and a run can release thousands (a backlog, an asOf far
      // ahead): authorizations queued meanwhile go first, instead of waiting for the whole run.
      await nextTurn();
    }
    if (due.length < batch) return released;
    const last = due[due.length - 1];
    after = { expiresAt: last.expires_at!, id: last.id };
  }
}

async function expireOne(ctx: ServiceContext, authorizationId: string, accountId: string, asOfMs: number): Promise<boolean> {
  try {
    return await inTransaction(ctx.handle, async (trx) => {
      const nowMs = ctx.clock.now();
      const account = await lockAccount(trx, ctx.handle.dialect, accountId);
      const auth = await trx.selectFrom('authorizations').selectAll().where('id', '=', authorizationId).executeTakeFirst();
      // Another instance, a clearing or a reversal got there first.
      if (!account || !auth || auth.status !== 'pending' || auth.expires_at === null || auth.expires_at > asOfMs) return false;
      const releasedFils = auth.hold_transfer_id ? await voidPending(trx, auth.hold_transfer_id, `expiry:${auth.id}`, nowMs) : 0;
      await trx.updateTable('authorizations').set({ status: 'expired', hold_fils: 0, hold_transfer_id: null, updated_at: nowMs })
        .where('id', '=', auth.id).execute();
      await trx.updateTable('card_accounts').set({ held_fils: account.held_fils - releasedFils })
        .where('id', '=', account.id).execute();
      await appendAudit(trx, { accountId: account.id, actorType: 'system',
        actorId: 'hold-expiry', action: 'authorization.expired', subject: auth.id,
        before: { holdFils: auth.hold_fils, status: 'pending' }, after: { holdFils: 0, status: 'expired' }, nowMs });
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return false; // the same void, committed by a twin
    throw error;
  }
}
