// A clearing batch (SPEC §5, §6): one result per record, in order. Records are posted in chunks:
// one transaction per chunk, each record in its own savepoint, so one bad record is rolled back
// alone without sinking the batch, and a 10 MiB file costs one commit per chunk rather than one per
// record. Used by POST /v1/network/clearings and by `npm run clearing -- file.json`.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import { CLEARING_REJECT } from '../../domain/clearing.js';
import type { Trx } from '../../store/db.js';
import { inTransaction, isUniqueViolation } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { acquirerPermitted } from '../network/acquirer-scope.js';
import { clearRecord, type ClearRecordOutcome } from './clear-record.js';
import { ClearingRecordSchema, type ClearingRecord, type ClearingResult } from './record.js';

/** Records per transaction: bounds how long account locks are held and how much a retry redoes. */
export const CLEARING_CHUNK = 100;

const SAVEPOINT = CompiledQuery.raw('savepoint clearing_record');
const RELEASE = CompiledQuery.raw('release savepoint clearing_record');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint clearing_record');

type Parsed = { index: number; record: ClearingRecord } | { index: number; record: null };

export async function clearBatch(ctx: ServiceContext, records: unknown[], networkClient: string): Promise<ClearingResult[]> {
  const results: ClearingResult[] = [];
  for (let start = 0; start < records.length; start += CLEARING_CHUNK) {
    // Parsed chunk by chunk, and the event loop turns between chunks: a file of tens of thousands
    // of records would otherwise hold up every authorization until the whole file is posted.
    if (start > 0) await nextTurn();
    const chunk: Parsed[] = records.slice(start, start + CLEARING_CHUNK).map((raw, i) => {
      const p = ClearingRecordSchema.safeParse(raw);
      return { index: start + i, record: p.success ? p.data : null };
    });
    results.push(...await clearChunk(ctx, chunk, networkClient));
  }
  return results;
}

async function clearChunk(ctx: ServiceContext, chunk: Parsed[], networkClient: string): Promise<ClearingResult[]> {
  // Before the chunk's transaction (the check may read the database): a record naming an acquirer
  // the client may not speak for is rejected alone (SPEC §6).
  const refused = new Set<number>();
  for (const item of chunk) {
    if (item.record && !await acquirerPermitted(ctx, networkClient, item.record.acquirerId)) refused.add(item.index);
  }
  const run = (item: Parsed) => item.record && !refused.has(item.index);
  let outcomes: Array<ClearRecordOutcome | 'failed' | null>;
  try {
    outcomes = await inTransaction(ctx.handle, async (trx) => {
      const out: Array<ClearRecordOutcome | 'failed' | null> = [];
      for (const item of chunk) {
        out.push(run(item) ? await inSavepoint(ctx, trx, item.record!, networkClient, item.index) : null);
      }
      return out;
    });
  } catch (error) {
    // The chunk's transaction itself failed: post its records one by one instead.
    ctx.logger.warn({ err: error }, 'clearing chunk failed; posting its records one at a time');
    outcomes = [];
    for (const item of chunk) {
      outcomes.push(run(item) ? await alone(ctx, item.record!, networkClient, item.index) : null);
    }
  }
  const notify = new Set<string>();
  const results = chunk.map((item, i): ClearingResult => {
    const outcome = outcomes[i];
    if (refused.has(item.index)) return { index: item.index, status: 'rejected', code: CLEARING_REJECT.acquirer_not_permitted };
    if (outcome === null) return { index: item.index, status: 'rejected', code: CLEARING_REJECT.format_error };
    if (outcome === 'failed') return { index: item.index, status: 'rejected', code: CLEARING_REJECT.system_error };
    outcome.notify.forEach((c) => notify.add(c));
    return { index: item.index, ...outcome.result };
  });
  for (const customerId of notify) ctx.events.publish(customerId);
  return results;
}

/**
 * One record in its own savepoint. A unique violation means the same record was posted meanwhile
 * (by another instance): run it once more and it answers `duplicate`.
 */
async function inSavepoint(ctx: ServiceContext, trx: Trx, record: ClearingRecord, networkClient: string, index: number) {
  for (let attempt = 1; ; attempt++) {
    await trx.executeQuery(SAVEPOINT);
    try {
      const outcome = await clearRecord(trx, ctx, record, networkClient);
      await trx.executeQuery(RELEASE);
      return outcome;
    } catch (error) {
      await trx.executeQuery(ROLLBACK_TO);
      await trx.executeQuery(RELEASE);
      if (attempt < 2 && isUniqueViolation(error)) continue;
      ctx.logger.error({ err: error, index }, 'clearing record failed');
      return 'failed' as const;
    }
  }
}

async function alone(ctx: ServiceContext, record: ClearingRecord, networkClient: string, index: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.handle, (trx) => clearRecord(trx, ctx, record, networkClient));
    } catch (error) {
      if (attempt < 2 && isUniqueViolation(error)) continue;
      ctx.logger.error({ err: error, index }, 'clearing record failed');
      return 'failed' as const;
    }
  }
}
