// npm run audit:verify [-- --expect-head <hash> --as-of <ISO time | epoch ms>]
// Checks every audit chain and prints the head hash (a digest over all stream heads). With a head
// hash taken earlier (the server logs one periodically as "audit head"), also proves that nothing
// before that moment was cut off. Exit code 1 on any problem.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { checkHead, verifyAuditLog } from '../src/service/audit/verify-chain.js';
import { openDatabase } from '../src/store/db.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'expect-head': { type: 'string' }, 'as-of': { type: 'string' } } });
  const config = loadConfig();
  const handle = openDatabase(config.databaseUrl);
  try {
    const result = await verifyAuditLog(handle.db, Date.now());
    let ok = result.ok;
    for (const p of result.problems.slice(0, 50)) {
      process.stdout.write(`BROKEN ${p.problem} stream=${p.stream} seq=${p.seq} id=${p.id}\n`);
    }
    process.stdout.write(`audit log: ${result.streams} streams, ${result.entries} entries, ${result.ok ? 'every chain intact' : `${result.problems.length} problems`}\n`);
    process.stdout.write(`head ${result.headHash} as of ${new Date(result.asOfMs).toISOString()}\n`);
    if (values['expect-head']) {
      const asOf = values['as-of'];
      if (!asOf) throw new Error('--expect-head needs --as-of (the time logged with it)');
      const asOfMs = /^\d+$/.test(asOf) ? Number(asOf) : Date.parse(asOf);
      const matches = await checkHead(handle.db, { headHash: values['expect-head'], asOfMs });
      process.stdout.write(matches
        ? `head as of ${new Date(asOfMs).toISOString()} matches the expected one\n`
        : `MISMATCH: the head as of ${new Date(asOfMs).toISOString()} differs from the expected one: entries were removed or rewritten\n`);
      ok &&= matches;
    }
    return ok ? 0 : 1;
  } finally {
    await handle.close();
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
