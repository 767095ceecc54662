// What an authorization reads before it decides (store/authorization-reads.repository.ts): the
// same answers on both engines; on PostgreSQL in one statement that also locks the account.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRODUCT_CODE } from '../../src/domain/product.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { readForAuthorization } from '../../src/store/authorization-reads.repository.js';
import { findProduct } from '../../src/store/products.repository.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { Harness, NETWORK_KEY_ID } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  let fingerprint: string;
  beforeAll(async () => {
    holder = await h.cardholder();
    fingerprint = h.deps.keyring.fingerprint(holder.pan);
  });

  const read = (key: string, fp: string | null) =>
    inTransaction(h.deps.handle, (trx) => readForAuthorization(trx, backend, key, fp, DEFAULT_PRODUCT_CODE));

  describe('readForAuthorization', () => {
    it('a known card: the card, its account and the account\'s product; no earlier authorization', async () => {
      const reads = await read('412345|000001|never-used', fingerprint);
      expect(reads.previousId).toBeUndefined();
      if (reads.previousId !== undefined) return;
      expect(reads.card).toMatchObject({ id: holder.card.id, last4: holder.pan.slice(-4), status: 'active' });
      expect(reads.account).toMatchObject({ id: reads.card!.account_id, limit_fils: 100_000, held_fils: 0, product_code: DEFAULT_PRODUCT_CODE });
      expect(reads.product).toEqual(await findProduct(h.deps.handle.db, DEFAULT_PRODUCT_CODE));
    });

    it('an unknown card or a PAN that cannot be one: nothing but the default product', async () => {
      for (const fp of ['0'.repeat(64), null]) {
        const reads = await read('412345|000002|never-used', fp);
        expect(reads).toEqual({ card: undefined, account: undefined, product: await findProduct(h.deps.handle.db, DEFAULT_PRODUCT_CODE) });
      }
    });

    it('a key already used: the earlier authorization, whatever card the retransmission names', async () => {
      const purchase = h.purchase(holder);
      const first = await h.network('/v1/network/authorizations', purchase);
      expect(first.status).toBe(200);
      const key = idempotencyKey(NETWORK_KEY_ID, purchase);
      for (const fp of [fingerprint, '0'.repeat(64), null]) {
        expect(await read(key, fp)).toEqual({ previousId: first.body.authorizationId });
      }
    });

    if (backend === 'postgres') {
      it('holds the account\'s row lock until the transaction ends (PostgreSQL)', async () => {
        const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${h.deps.handle.pgSchema}` });
        await other.connect();
        try {
          const accountId = (await read('412345|000003|never-used', fingerprint) as { account: { id: string } }).account.id;
          await inTransaction(h.deps.handle, async (trx) => {
            await readForAuthorization(trx, backend, '412345|000004|never-used', fingerprint, DEFAULT_PRODUCT_CODE);
            await expect(other.query('select id from card_accounts where id = $1 for update nowait', [accountId])).rejects.toMatchObject({ code: '55P03' });
          });
          const after = await other.query('select id from card_accounts where id = $1 for update nowait', [accountId]);
          expect(after.rows).toEqual([{ id: accountId }]);
        } finally {
          await other.end();
        }
      });
    }
  });
});
