// Random concurrent mixes of purchases and reversals (full and partial) on a few accounts, each wave
// sent at once so that its requests share group-commit batches and lanes (runtime/pg-group-commit.ts
// on PostgreSQL, group-commit.ts on SQLite). Whatever the interleaving: every request is answered,
// the ledger check finds no difference, held equals the open pending transfers, no account stands
// past limit + margin, and at most one over-limit approval stands per account.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportOn } from '../../src/service/reports/run-report.js';
import { forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { accountLedger } from '../support/ledger-check.js';

const LIMIT_FILS = 100_000;
const MARGIN_FILS = 20_000; // the default product's 20 %

type Op =
  | { t: 'purchase'; holder: number; amount: number }
  | { t: 'reverse'; pick: number; keepPermille: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('purchase' as const), holder: fc.nat({ max: 2 }), amount: fc.oneof(fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom(100_000, 115_000)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reverse' as const), pick: fc.nat(), keepPermille: fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }) }) },
);

forEachBackend((backend) => {
  let h: Harness;
  beforeAll(async () => { h = await Harness.create({ backend }); });
  afterAll(() => h.close());

  const reverse = (authorizationId: string, replacementAmount?: number) => h.network('/v1/network/reversals', {
    authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
    ...(replacementAmount === undefined ? {} : { replacementAmount }),
  });

  describe('group commit under concurrent purchases and reversals on few accounts', () => {
    it('keeps the ledger whole, the limits and the over-limit allowance', async () => {
      await fc.assert(fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), async (waves) => {
        // One after another: each enrolment moves the shared clock a TOTP step (Harness.otp), so
        // concurrent enrolments would verify each other's codes out of their window.
        const holders: Awaited<ReturnType<Harness["cardholder"]>>[] = [];
        for (let i = 0; i < 3; i++) holders.push(await h.cardholder(LIMIT_FILS));
        const approvals: Array<{ id: string; amount: number }> = [];
        for (const wave of waves) {
          const known = [...approvals];
          const answers = await Promise.all(wave.map((op) => {
            if (op.t === 'purchase') return h.authorize(holders[op.holder], { amount: op.amount });
            if (!known.length) return null;
            const target = known[op.pick % known.length];
            return reverse(target.id, op.keepPermille === null ? undefined : Math.floor(target.amount * op.keepPermille / 1000));
          }));
          for (const a of answers) {
            if (!a) continue;
            expect(a.status).toBe(200);
            if (a.body.approved && a.body.billingAmount !== undefined) approvals.push({ id: a.body.authorizationId, amount: a.body.billingAmount });
          }
        }
        const report = await runReportOn(h.deps.handle.db, { kind: 'ledgerCheck' });
        expect(report.differences).toEqual([]);
        for (const holder of holders) {
          const accountId = holder.card.accountId as string;
          const ledger = await accountLedger(h.deps.handle, accountId);
          expect(ledger.heldFils).toBe(ledger.openPendingFils);
          expect(ledger.debitsFils).toBe(ledger.creditsFils);
          expect(ledger.heldFils + ledger.postedFils).toBeLessThanOrEqual(LIMIT_FILS + MARGIN_FILS);
          const standingOverLimit = await h.deps.handle.db.selectFrom('authorizations').select('id')
            .where('account_id', '=', accountId).where('over_limit', '=', 1).where('approved', '=', 1).where('status', '!=', 'reversed').execute();
          expect(standingOverLimit.length).toBeLessThanOrEqual(1);
        }
      }), { numRuns: backend === 'postgres' ? 8 : 4 });
    }, 120_000);
  });
});
