// inTransaction retries what PostgreSQL asks to retry (deadlock, serialization failure) a bounded
// number of times, and nothing else; a real deadlock between two connections resolves by retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { inTransaction, MAX_ATTEMPTS } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';

function pgError(code: string): Error {
  return Object.assign(new Error(`pg error ${code}`), { code });
}

forEachBackend((backend) => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase(backend);
    await migrate(fresh.handle);
    await fresh.handle.db.insertInto('fx_rates').values([
      { currency: 'A', rate: '0', updated_at: 0 }, { currency: 'B', rate: '0', updated_at: 0 },
    ]).execute();
  });
  afterAll(() => fresh.close());

  describe('inTransaction retries', () => {
    it(`gives up after ${MAX_ATTEMPTS} attempts when the database keeps asking for a retry`, async () => {
      for (const code of ['40001', '40P01']) {
        let attempts = 0;
        await expect(inTransaction(fresh.handle, async () => { attempts += 1; throw pgError(code); }))
          .rejects.toMatchObject({ code });
        expect(attempts).toBe(MAX_ATTEMPTS);
      }
    });

    it('retries until the work succeeds, and rolls back the failed attempts', async () => {
      let attempts = 0;
      const result = await inTransaction(fresh.handle, async (trx) => {
        attempts += 1;
        await trx.updateTable('fx_rates').set({ updated_at: attempts }).where('currency', '=', 'A').execute();
        if (attempts < 3) throw pgError('40001');
        return 'done';
      });
      expect({ result, attempts }).toEqual({ result: 'done', attempts: 3 });
      const row = await fresh.handle.db.selectFrom('fx_rates').select('updated_at').where('currency', '=', 'A').executeTakeFirstOrThrow();
      expect(row.updated_at).toBe(3);
    });

    it('does not retry other errors (a unique violation is the caller\'s to handle)', async () => {
      for (const error of [pgError('23505'), new Error('plain')]) {
        let attempts = 0;
        await expect(inTransaction(fresh.handle, async () => { attempts += 1; throw error; })).rejects.toBe(error);
        expect(attempts).toBe(1);
      }
    });
  });

  if (backend === 'postgres') {
    describe('a real deadlock between two connections', () => {
      it('is detected by PostgreSQL, and the loser is retried to success', async () => {
        let bothHoldOne!: () => void;
        const barrier = new Promise<void>((resolve) => { let n = 0; bothHoldOne = () => { if (++n === 2) resolve(); }; });
        let attempts = 0;
        const crossing = (first: string, second: string, value: string) => inTransaction(fresh.handle, async (trx) => {
          attempts += 1;
          await trx.updateTable('fx_rates').set({ rate: value }).where('currency', '=', first).execute();
          bothHoldOne();
          await barrier; // each now holds one row and asks for the other's
          await trx.updateTable('fx_rates').set({ rate: value }).where('currency', '=', second).execute();
        });
        await Promise.all([crossing('A', 'B', '1'), crossing('B', 'A', '2')]);
        // Two first attempts, one of them the deadlock victim, retried (a retry may itself meet the
        // rival again; the bound keeps that finite).
        expect(attempts).toBeGreaterThanOrEqual(3);
        expect(attempts).toBeLessThanOrEqual(2 * MAX_ATTEMPTS);
        const rates = await fresh.handle.db.selectFrom('fx_rates').select('rate').where('currency', 'in', ['A', 'B']).execute();
        expect(new Set(rates.map((r) => r.rate)).size).toBe(1); // the retried one ran whole, after the winner
      });
    });
  }
});
