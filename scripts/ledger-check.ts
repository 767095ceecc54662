// Recomputes every balance from the ledger and compares with the cached balances:
//   npm run ledger:check
// Exits 1 on any difference (and lists them), 0 when everything agrees.
import { loadConfig } from '../src/config.js';
import { checkLedger } from '../src/service/ledger/check-ledger.js';
import { openDatabase } from '../src/store/db.js';

async function main() {
  const config = loadConfig();
  const handle = openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    const report = await checkLedger(handle.db);
    const t = report.totals;
    process.stdout.write(`transfers ${t.transfers}, card accounts ${t.cardAccounts}, current accounts ${t.currentAccounts}; `
      + `posted debits ${t.postedDebits} = credits ${t.postedCredits}\n`);
    for (const d of report.differences) {
      process.stdout.write(`DIFFERENCE ${d.check} ${d.subject}: ledger ${d.ledger}, cached ${d.cached}\n`);
    }
    process.stdout.write(report.ok ? 'ledger OK\n' : `ledger has ${report.differences.length} difference(s)\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await handle.close();
  }
}

main().catch((error) => {
  process.stderr.write(`ledger check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
