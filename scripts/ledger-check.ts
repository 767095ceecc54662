// Recomputes every balance from the ledger and compares with the cached balances:
//   npm run ledger:check
// Exits 1 on any difference (and lists them), 0 when everything agrees.
// It reads one snapshot (service/reports/run-report.ts), so a service committing meanwhile cannot
// show as a difference: on SQLite through a read-only connection, which takes no write lock.
import { loadConfig } from '../src/config.js';
import { runReportOn } from '../src/service/reports/run-report.js';
import { openDatabase, openSqliteReader } from '../src/store/db.js';

async function main() {
  const config = loadConfig();
  const file = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : null;
  const db = file ? openSqliteReader(file) : openDatabase(config.databaseUrl, { poolSize: 2 }).db;
  try {
    const report = await runReportOn(db, { kind: 'ledgerCheck' });
    const t = report.totals;
    process.stdout.write(`transfers ${t.transfers}, card accounts ${t.cardAccounts}, current accounts ${t.currentAccounts}; `
      + `posted debits ${t.postedDebits} = credits ${t.postedCredits}\n`);
    for (const d of report.differences) {
      process.stdout.write(`DIFFERENCE ${d.check} ${d.subject}: ledger ${d.ledger}, cached ${d.cached}\n`);
    }
    process.stdout.write(report.ok ? 'ledger OK\n' : `ledger has ${report.differences.length} difference(s)\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`ledger check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
