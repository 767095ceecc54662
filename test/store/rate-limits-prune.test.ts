// Rate-limit counters are pruned in slices of the primary key (store/rate-limits.repository.ts):
// exactly the counters of windows long gone, however many, with the event loop free between slices.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/store/db.js';
import { hitRateLimit, pruneRateLimits } from '../../src/store/rate-limits.repository.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

forEachBackend((backend) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => ({ handle, close } = await openMigratedDatabase(backend)));
  afterAll(() => close());

  describe('pruneRateLimits', () => {
    it('drops exactly the counters older than the cut-off, at any slice size', async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(fc.record({ bucket: fc.stringMatching(/^[a-z0-9:.]{1,12}$/), windowStart: fc.integer({ min: 0, max: 20 }) }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 21 }), fc.integer({ min: 1, max: 7 }),
        async (counters, cutoff, sliceRows) => {
          await handle.db.deleteFrom('rate_limits').execute();
          const byBucket = new Map(counters.map((c) => [c.bucket, c.windowStart]));
          if (byBucket.size) await handle.db.insertInto('rate_limits').values([...byBucket].map(([bucket, window_start]) => ({ bucket, window_start, hits: 1 }))).execute();
          const kept = [...byBucket].filter(([, w]) => w >= cutoff).map(([b]) => b).sort();
          expect(await pruneRateLimits(handle.db, cutoff, sliceRows)).toBe(byBucket.size - kept.length);
          const left = (await handle.db.selectFrom('rate_limits').select('bucket').execute()).map((r) => r.bucket).sort();
          expect(left).toEqual(kept);
        },
      ), { numRuns: 60 });
    });

    it('lets the event loop turn between slices', async () => {
      await handle.db.deleteFrom('rate_limits').execute();
      for (let i = 0; i < 30; i++) await hitRateLimit(handle.db, `login:${i}`, 60_000, 1_000);
      let turns = 0;
      let ticking = true;
      const tick = () => { turns++; if (ticking) setImmediate(tick); };
      setImmediate(tick);
      expect(await pruneRateLimits(handle.db, 60_000 * 10, 3)).toBe(30);
      ticking = false;
      expect(turns).toBeGreaterThanOrEqual(9);
    });
  });
});
