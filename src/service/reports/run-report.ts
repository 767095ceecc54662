// The two reports that read a whole table: the audit head (SPEC §9, logged every few minutes) and
// the ledger check (GET /v1/admin/ledger/check). Each reads from one snapshot, so that every
// figure in it belongs to the same moment.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { dialectOf } from '../../runtime/index.js';
import { auditHead, type AuditHead } from '../audit/verify-chain.js';
import { checkLedger, type LedgerReport } from '../ledger/check-ledger.js';

export type Report = { kind: 'auditHead'; asOfMs: number } | { kind: 'ledgerCheck' };
export type ReportResult<R extends Report> = R extends { kind: 'auditHead' } ? AuditHead : LedgerReport;

/** Runs a report on `db` in one read transaction (PostgreSQL: repeatable read, so one snapshot). */
export async function runReportOn<R extends Report>(db: Kysely<Database>, report: R): Promise<ReportResult<R>> {
  let transaction = db.transaction();
  if (dialectOf(db) === 'postgres') transaction = transaction.setIsolationLevel('repeatable read').setAccessMode('read only');
  return transaction.execute(async (trx) => {
    switch (report.kind) {
      case 'auditHead': return await auditHead(trx, report.asOfMs) as ReportResult<R>;
      case 'ledgerCheck': return await checkLedger(trx) as ReportResult<R>;
      default: throw new Error(`unknown report ${(report as { kind: string }).kind}`);
    }
  });
}
