// A process whose only work is group commits on an on-disk SQLite file (as the bench's engine run):
// with a WAL restart threshold of 20 pages the checkpointer holds it again and again. Prints
// "committed N" at the end; a process that exits before that lost track of its own writes.
//   node --import tsx test/support/group-commit-process.ts FILE SECONDS
import { groupCommitFor } from '../../src/runtime/group-commit.js';
import { openDatabase, type Trx } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

const [file, seconds = '1.5'] = process.argv.slice(2);
const handle = openDatabase(`sqlite:${file}`, { sqliteSynchronous: 'FULL', sqliteWalRestartPages: 20 });
await migrate(handle);
const gc = groupCommitFor(handle);
let committed = 0;
let holds = 0;
handle.checkpointer!.observeRestarts(() => { holds++; });
const until = Date.now() + Number(seconds) * 1000;
await Promise.all(Array.from({ length: 16 }, async (_, lane) => {
  for (let i = 0; Date.now() < until; i++) {
    const currency = `${lane}:${i}`;
    await gc.run((trx: Trx) => trx.insertInto('fx_rates').values({ currency, rate: '1', updated_at: 0 }).execute());
    committed++;
  }
}));
await handle.close();
console.log(`committed ${committed} held ${holds}`);
