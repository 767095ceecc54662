// Property: random mixes of authorizations (some concurrent), reversals, clearings, refunds,
// expiries and payments keep the books exact. After every step: debits equal credits, every
// cached balance equals the sum of its ledger entries, outstanding = posted + open holds, and at
// most one over-limit authorization per customer stands (not fully reversed).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { expireHolds } from '../../src/service/holds/expire-holds.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, cardView, clear, recordFor, reverse, setRate, type Holder } from '../support/money.js';

type Op =
  | { k: 'auth'; amount: number; usd: boolean }
  | { k: 'burst'; amounts: number[] }
  | { k: 'reverse'; pick: number; keepPercent: number }
  | { k: 'clear'; pick: number; percent: number; repeat: boolean }
  | { k: 'unmatched'; amount: number }
  | { k: 'refund'; pick: number; amount: number }
  | { k: 'expire'; days: number }
  | { k: 'pay'; percent: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('auth' as const), amount: fc.integer({ min: 1, max: 130_000 }), usd: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('burst' as const), amounts: fc.array(fc.integer({ min: 1_000, max: 60_000 }), { minLength: 2, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('reverse' as const), pick: fc.nat(), keepPercent: fc.constantFrom(0, 0, 25, 50, 90, 100) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('clear' as const), pick: fc.nat(), percent: fc.integer({ min: 50, max: 130 }), repeat: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unmatched' as const), amount: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('refund' as const), pick: fc.nat(), amount: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('expire' as const), days: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pay' as const), percent: fc.integer({ min: 1, max: 120 }) }) },
);

interface Approved { id: string; request: Record<string, any>; authCode: string }

forEachBackend((backend) => {
  const h = useHarness(backend);
  let counter = 0;
  beforeAll(async () => {
    await setRate(h, 'USD', '0.3061');
  });

  async function step(holder: Holder, approved: Approved[], op: Op, expireAsOf: { ms: number }) {
    const pick = <T>(list: T[], i: number) => list[i % list.length];
    switch (op.k) {
      case 'auth': {
        const request = h.purchase(holder, { amount: op.amount, currency: op.usd ? '840' : '414' });
        const res = await h.network('/v1/network/authorizations', request);
        if (res.body.approved) approved.push({ id: res.body.authorizationId, request, authCode: res.body.authCode });
        break;
      }
      case 'burst': {
        const requests = op.amounts.map((amount) => h.purchase(holder, { amount }));
        const responses = await Promise.all(requests.map((r) => h.network('/v1/network/authorizations', r)));
        responses.forEach((res, i) => { if (res.body.approved) approved.push({ id: res.body.authorizationId, request: requests[i], authCode: res.body.authCode }); });
        break;
      }
      case 'reverse': {
        if (!approved.length) return;
        const a = pick(approved, op.pick);
        await reverse(h, { authorizationId: a.id, replacementAmount: Math.floor((a.request.amount * op.keepPercent) / 100) });
        break;
      }
      case 'clear': {
        if (!approved.length) return;
        const a = pick(approved, op.pick);
        const record = recordFor(a.request, a.authCode, { amount: Math.max(1, Math.floor((a.request.amount * op.percent) / 100)) });
        const results = await clear(h, op.repeat ? [record, record] : [record]);
        expect(results[0].status).toMatch(/^(posted|duplicate)$/);
        if (op.repeat) expect(results[1].status).toBe('duplicate');
        break;
      }
      case 'unmatched': {
        counter += 1;
        const [r] = await clear(h, [{ pan: holder.pan, rrn: `UNM${String(counter).padStart(9, '0')}`, acquirerId: '55', amount: op.amount,
          currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'Unmatched' }]);
        expect(r.status).toBe('posted_unmatched');
        break;
      }
      case 'refund': {
        if (!approved.length) return;
        const a = pick(approved, op.pick);
        const [r] = await clear(h, [recordFor(a.request, undefined, { processingCode: '200000', amount: op.amount, currency: '414' })]);
        expect(r.status).toMatch(/^(posted|duplicate)$/);
        break;
      }
      case 'expire': {
        // Look ahead instead of moving the clock, so the banking session stays alive: through the
        // service, since the admin job refuses a cut-off later than now.
        expireAsOf.ms = Math.max(expireAsOf.ms, h.clock.now() + op.days * 86_400_000);
        await expireHolds(h.deps, expireAsOf.ms);
        break;
      }
      case 'pay': {
        const { posted_fils } = await account(h, holder);
        if (posted_fils <= 0) return;
        const amount = Math.max(1, Math.floor((posted_fils * op.percent) / 100));
        const res = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/payments`,
          { amount, fromAccountId: holder.customer.currentAccountId });
        expect(res.status).toBe(amount > posted_fils ? 409 : 201);
        break;
      }
    }
  }

  async function checkInvariants(holder: Holder) {
    const report = await checkLedger(h.deps.handle.db);
    expect(report.differences).toEqual([]);
    expect(report.totals.postedDebits).toBe(report.totals.postedCredits);
    const acct = await account(h, holder);
    const view = await cardView(h, holder);
    expect(view.outstanding).toBe(acct.posted_fils + acct.held_fils);
    const standing = await h.deps.handle.db.selectFrom('authorizations')
      .innerJoin('card_accounts', 'card_accounts.id', 'authorizations.account_id')
      .select('authorizations.id')
      .where('card_accounts.customer_id', '=', holder.customer.id)
      .where('authorizations.over_limit', '=', 1).where('authorizations.status', '!=', 'reversed').execute();
    expect(standing.length).toBeLessThanOrEqual(1);
  }

  describe('ledger invariants under random money movements', () => {
    it('hold after every step', async () => {
      await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 18 }), async (ops) => {
          const holder = await h.cardholder(100_000);
          const approved: Approved[] = [];
          const expireAsOf = { ms: 0 };
          for (const op of ops) {
            await step(holder, approved, op, expireAsOf);
            await checkInvariants(holder);
          }
        }), { numRuns: 6 });
    });
  });
});
