// The audit head (SPEC §9) is read by seeking each stream's newest entries (verify-chain.ts,
// auditHead), not by passing over the log. It must equal the definition: for every stream, the
// entry with the highest seq among those created at or before asOf — whatever the clock did.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead, digestHeads } from '../../src/service/audit/verify-chain.js';
import type { DbHandle } from '../../src/store/db.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

const STREAMS = ['global', 'account:ca_1', 'account:ca_2', 'account:ca_10'] as const;

forEachBackend((backend) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => ({ handle, close } = await openMigratedDatabase(backend)));
  afterAll(() => close());

  describe('auditHead', () => {
    it('is, per stream, the highest seq created at or before asOf (clocks that step back included)', async () => {
      let run = 0;
      await fc.assert(fc.asyncProperty(
        // Each entry: its stream and its created_at, as a step from the previous entry's (negative: the clock went back).
        fc.array(fc.record({ stream: fc.constantFrom(...STREAMS), step: fc.integer({ min: -3, max: 5 }) }), { maxLength: 40 }),
        fc.integer({ min: -5, max: 60 }),
        async (entries, asOfOffset) => {
          run++;
          await handle.db.deleteFrom('audit_log').execute();
          const base = 1_800_000_000_000;
          const seqs = new Map<string, number>();
          let at = base;
          const rows = entries.map((e, i) => {
            at += e.step;
            const seq = (seqs.get(e.stream) ?? 0) + 1;
            seqs.set(e.stream, seq);
            return { id: `au_r${run}_${String(i).padStart(3, '0')}`, stream: e.stream, seq, actor_type: 'system', actor_id: 'test', action: 'test',
              subject: null, source_ip: null, before_state: null, after_state: null, created_at: at, prev_hash: 'p', hash: `h${run}_${i}`, account_id: null };
          });
          if (rows.length) await handle.db.insertInto('audit_log').values(rows).execute();
          const asOfMs = base + asOfOffset;
          // The definition, in plain code.
          const heads = STREAMS.flatMap((stream) => {
            const made = rows.filter((r) => r.stream === stream && r.created_at <= asOfMs);
            if (!made.length) return [];
            const last = made.reduce((a, b) => (b.seq > a.seq ? b : a));
            return [{ stream, seq: last.seq, hash: last.hash }];
          });
          expect(await auditHead(handle.db, asOfMs)).toEqual({
            headHash: digestHeads(heads), asOfMs, streams: heads.length, entries: heads.reduce((n, h) => n + h.seq, 0),
          });
        },
      ), { numRuns: 60 });
    });
  });
});
