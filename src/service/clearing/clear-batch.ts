// A clearing batch (SPEC §5, §6): one result per record, in order. Each record runs in its own
// transaction, so one bad record is rejected without sinking the batch. Used by
// POST /v1/network/clearings and by `npm run clearing -- file.json`.
import { CLEARING_REJECT } from '../../domain/clearing.js';
import { runNetworkVerb } from '../network/run-in-transaction.js';
import type { ServiceContext } from '../context.js';
import { clearRecord } from './clear-record.js';
import { ClearingRecordSchema, type ClearingResult } from './record.js';

export async function clearBatch(ctx: ServiceContext, records: unknown[], networkClient: string): Promise<ClearingResult[]> {
  const results: ClearingResult[] = [];
  for (const [index, raw] of records.entries()) {
    const parsed = ClearingRecordSchema.safeParse(raw);
    if (!parsed.success) {
      results.push({ index, status: 'rejected', code: CLEARING_REJECT.format_error });
      continue;
    }
    try {
      // A unique violation (a twin instance posted the same record) reruns and answers `duplicate`.
      const outcome = await runNetworkVerb(ctx, (trx) => clearRecord(trx, ctx, parsed.data, networkClient));
      for (const customerId of outcome.notify) ctx.events.publish(customerId);
      results.push({ index, ...outcome.result });
    } catch (error) {
      ctx.logger.error({ err: error, index }, 'clearing record failed');
      results.push({ index, status: 'rejected', code: CLEARING_REJECT.system_error });
    }
  }
  return results;
}
