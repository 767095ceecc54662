// Every append computes the same hash the verifier recomputes (SPEC §9). On PostgreSQL the hash is
// computed inside the statement that reads the chain's head (audit.repository.ts): the SQL and
// entryHash must agree byte for byte, for any text an entry can hold (Arabic, emoji, quotes,
// backslashes, control characters, JSON in JSON) and any seq.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { appendAudit, canonicalAroundSeq, entryHash, GENESIS_HASH } from '../../src/store/audit.repository.js';
import type { DbHandle } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { openMigratedDatabase } from '../support/databases.js';

// PostgreSQL text holds no NUL; everything else goes.
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\u0000/g, ''));
const anyText = fc.oneof(text, fc.constantFrom('"', '\\', '\\"', '\n\t', 'مشتريات', '💳', '\u2028', '</script>', '{"a":[1,"b"]}'));
const entry = fc.record({
  accountId: fc.option(fc.constantFrom('ca_1', 'ca_2', 'ca_ü'), { nil: null }),
  actorType: fc.constantFrom('cardholder', 'staff', 'network', 'system') as fc.Arbitrary<'cardholder' | 'staff' | 'network' | 'system'>,
  actorId: anyText, action: anyText,
  subject: fc.option(anyText, { nil: null }), sourceIp: fc.option(anyText, { nil: null }),
  before: fc.option(fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.boolean())), { nil: undefined }),
  after: fc.option(fc.record({ note: anyText, n: fc.integer() }), { nil: undefined }),
  nowMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
});

describe('canonicalAroundSeq', () => {
  it('is the canonical JSON with the seq cut out', () => {
    fc.assert(fc.property(text, fc.integer({ min: 1, max: 2 ** 40 }), text, fc.option(text, { nil: null }), (stream, seq, actor, account) => {
      const row = { stream, actor_type: 'system', actor_id: actor, action: 'a', subject: null, source_ip: null, before_state: null, after_state: '{"x":1}', created_at: 5, account_id: account };
      const { beforeSeq, afterSeq } = canonicalAroundSeq(row);
      const fields: unknown[] = [stream, seq, 'system', actor, 'a', null, null, null, '{"x":1}', 5];
      if (account !== null) fields.push(account);
      expect(`${beforeSeq}${seq}${afterSeq}`).toBe(JSON.stringify(fields));
    }));
  });
});

forEachBackend((backend) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => ({ handle, close } = await openMigratedDatabase(backend)));
  afterAll(() => close());

  describe(`appendAudit (${backend})`, () => {
    it('stores the hash entryHash gives its stored fields, chained from the head, and the log verifies', async () => {
      await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        await handle.db.deleteFrom('audit_log').execute();
        // Several entries in one transaction (as a group commit batch appends them), one chain per account.
        await inTransaction(handle, async (trx) => { for (const e of entries) await appendAudit(trx, e); });
        const rows = await handle.db.selectFrom('audit_log').selectAll().orderBy('stream').orderBy('seq').execute();
        expect(rows).toHaveLength(entries.length);
        const heads = new Map<string, string>();
        for (const r of rows) {
          const seq = Number(r.seq);
          expect(r.prev_hash).toBe(heads.get(r.stream) ?? GENESIS_HASH);
          expect(r.hash).toBe(entryHash(r.prev_hash, { ...r, seq, created_at: Number(r.created_at) }));
          heads.set(r.stream, r.hash);
        }
        const verified = await verifyAuditLog(handle.db, 4_100_000_000_000);
        expect(verified.problems).toEqual([]);
        expect(verified.ok).toBe(true);
      }), { numRuns: 40 });
    });
  });
});
