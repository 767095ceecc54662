// The product read once per transaction (findProductInTransaction): a group-commit batch reads it
// once for all its authorizations, yet an admin change between two transactions is seen by the
// next one, and a change inside the transaction is seen by the rest of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProduct, DEFAULT_PRODUCT_CODE, type Product } from '../../src/domain/product.js';
import { GroupCommit } from '../../src/runtime/group-commit.js';
import type { DbHandle } from '../../src/store/db.js';
import { findProduct, findProductInTransaction, insertProductIfMissing, saveProduct } from '../../src/store/products.repository.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

forEachBackend((backend) => {
  let handle: DbHandle;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // On disk, so that the group commit runs as in production (WAL fsync included).
    ({ handle, close: cleanup } = await openMigratedDatabase(backend, { onDisk: true }));
    await insertProductIfMissing(handle.db, defaultProduct('400000'), 0);
  });
  afterAll(() => cleanup());

  const markup = (bps: number): Product => ({ ...defaultProduct('400000'), fxMarkupBps: bps });
  const read = (trx: Parameters<typeof findProductInTransaction>[0]) => findProductInTransaction(trx, DEFAULT_PRODUCT_CODE);

  describe('product read once per transaction', () => {
    it('is read once in a transaction and afresh in the next one', async () => {
      await saveProduct(handle.db, markup(250), 1);
      const first = await handle.db.transaction().execute(async (trx) => {
        const a = await read(trx);
        // Another connection (PostgreSQL) or the same one outside the transaction would see this
        // only after the commit; the transaction keeps what it read.
        expect(await read(trx)).toBe(a);
        return a!;
      });
      expect(first.fxMarkupBps).toBe(250);
      expect(Object.isFrozen(first) && Object.isFrozen(first.blockedMccs) && Object.isFrozen(first.allowedLimits)).toBe(true);

      await saveProduct(handle.db, markup(400), 2); // an admin change, committed between the two
      const second = await handle.db.transaction().execute((trx) => read(trx));
      expect(second).not.toBe(first);
      expect(second!.fxMarkupBps).toBe(400);
    });

    it('sees a change made inside the same transaction', async () => {
      await saveProduct(handle.db, markup(250), 3);
      const [before, after] = await handle.db.transaction().execute(async (trx) => {
        const b = await read(trx);
        await saveProduct(trx, markup(300), 4);
        return [b!, (await read(trx))!];
      });
      expect(before.fxMarkupBps).toBe(250);
      expect(after.fxMarkupBps).toBe(300);
      expect((await findProduct(handle.db, DEFAULT_PRODUCT_CODE))!.fxMarkupBps).toBe(300);
    });

    it('outside a transaction reads every time', async () => {
      await saveProduct(handle.db, markup(250), 5);
      const a = await read(handle.db);
      await saveProduct(handle.db, markup(260), 6);
      expect(a!.fxMarkupBps).toBe(250);
      expect((await read(handle.db))!.fxMarkupBps).toBe(260);
    });

    it('a group-commit batch (one transaction) shares one read; the next batch sees an admin change', async () => {
      await saveProduct(handle.db, markup(250), 7);
      const gc = new GroupCommit(handle);
      const batch = await Promise.all([gc.run(read), gc.run(read), gc.run(read)]);
      expect(new Set(batch).size).toBe(1);
      expect(batch[0]!.fxMarkupBps).toBe(250);

      await saveProduct(handle.db, markup(450), 8);
      const next = await gc.run(read);
      expect(next).not.toBe(batch[0]);
      expect(next!.fxMarkupBps).toBe(450);
    });
  });
});
