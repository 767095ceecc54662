// SPEC §3 invariants under random sequences of authorizations, reversals (full and partial) and
// limit changes, through the real app, checked against a small model after every step:
//   * no authorization takes outstanding past limit + margin;
//   * at most one over-limit authorization is standing (not fully reversed);
//   * ledger debits equal credits, the card ledger equals posted + held, and held_fils equals the
//     open pending transfers and the pending authorizations of the account.
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { decideLimit, overLimitMarginFils } from '../../src/domain/limits.js';
import { cardLedger } from '../../src/store/ledger.repository.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

type Op =
  | { t: 'auth'; amount: number }
  | { t: 'reverse'; pick: number; keepPermille: number | null }
  | { t: 'limit'; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('auth' as const), amount: fc.oneof(fc.integer({ min: 1, max: 140_000 }), fc.constantFrom(1, 10_000, 20_000, 90_000, 100_000, 120_000)) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('reverse' as const), pick: fc.nat(), keepPermille: fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('limit' as const), limit: fc.constantFrom(100_000, 200_000) }) },
);

forEachBackend((backend) => {
  const h = useHarness(backend);

  async function checkLedger(accountId: string) {
    const db = h.deps.handle.db;
    const account = await db.selectFrom('card_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    const transfers = await db.selectFrom('ledger_transfers').selectAll().execute();
    // Balances by ledger account: a pending or posted transfer moves its amount, a void undoes it.
    const balance = new Map<string, number>();
    for (const t of transfers) {
      const sign = t.kind === 'void_pending' ? -1 : 1;
      balance.set(t.debit_account, (balance.get(t.debit_account) ?? 0) + sign * t.amount_fils);
      balance.set(t.credit_account, (balance.get(t.credit_account) ?? 0) - sign * t.amount_fils);
    }
    expect([...balance.values()].reduce((a, b) => a + b, 0)).toBe(0);
    // The same from the database's own sums: debits per debit account, credits per credit account.
    const signed = sql<number>`sum(case when kind = 'void_pending' then -amount_fils else amount_fils end)`;
    const debits = await db.selectFrom('ledger_transfers').select(['debit_account', signed.as('total')]).groupBy('debit_account').execute();
    const credits = await db.selectFrom('ledger_transfers').select(['credit_account', signed.as('total')]).groupBy('credit_account').execute();
    const total = (rows: Array<{ total: number | string | null }>) => rows.reduce((s, r) => s + Number(r.total ?? 0), 0);
    expect(total(debits)).toBe(total(credits));
    expect(balance.get(cardLedger(accountId)) ?? 0).toBe(account.posted_fils + account.held_fils);

    const mine = transfers.filter((t) => t.account_id === accountId);
    const voided = new Set(mine.filter((t) => t.kind === 'void_pending').map((t) => t.pending_id));
    const openPending = mine.filter((t) => t.kind === 'pending' && !voided.has(t.id)).reduce((s, t) => s + t.amount_fils, 0);
    expect(account.held_fils).toBe(openPending);
    const holds = await db.selectFrom('authorizations').select(['hold_fils', 'status', 'over_limit'])
      .where('account_id', '=', accountId).execute();
    expect(holds.filter((a) => a.status === 'pending').reduce((s, a) => s + a.hold_fils, 0)).toBe(account.held_fils);
    expect(holds.filter((a) => a.over_limit === 1 && a.status !== 'reversed').length).toBeLessThanOrEqual(1);
    expect(account.posted_fils + account.held_fils)
      .toBeLessThanOrEqual(account.limit_fils + overLimitMarginFils(account.limit_fils, 20));
    return account;
  }

  describe('limits under random sequences (fast-check)', () => {
    it('never exceed limit + margin, never two standing exceeds, ledger always balanced', async () => {
      await fc.assert(fc.asyncProperty(fc.constantFrom(100_000, 200_000), fc.array(opArb, { minLength: 4, maxLength: 12 }), async (startLimit, ops) => {
        const holder = await h.cardholder(startLimit);
        const accountId = holder.card.accountId as string;
        // The model: what the account should look like.
        let limit: number = startLimit;
        const holds = new Map<string, number>();
        let exceedAuth: string | null = null;
        const held = () => [...holds.values()].reduce((a, b) => a + b, 0);

        for (const op of ops) {
          if (op.t === 'auth') {
            const expected = decideLimit({ limitFils: limit, postedFils: 0, heldFils: held(), overLimitEnabled: true, overLimitUsed: exceedAuth !== null }, op.amount, 20);
            const res = await h.authorize(holder, { amount: op.amount });
            expect(res.status).toBe(200);
            expect(res.body.approved).toBe(expected !== 'declined');
            expect(res.body.overLimit).toBe(expected === 'over_limit_once');
            expect(res.body.responseCode).toBe(expected === 'declined' ? '51' : '00');
            if (res.body.approved) holds.set(res.body.authorizationId, op.amount);
            if (expected === 'over_limit_once') exceedAuth = res.body.authorizationId;
          } else if (op.t === 'reverse') {
            const ids = [...holds.keys()];
            if (ids.length === 0) continue;
            const id = ids[op.pick % ids.length];
            const before = holds.get(id)!;
            const keep = op.keepPermille === null ? 0 : Math.floor((before * op.keepPermille) / 1000);
            const res = await h.network('/v1/network/reversals', {
              authorizationId: id, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString(),
              replacementAmount: keep,
            });
            expect(res.status).toBe(200);
            expect(res.body).toMatchObject({ responseCode: '00', reversedAmount: before - keep });
            if (keep === 0) {
              holds.delete(id);
              if (exceedAuth === id) exceedAuth = null;
            } else holds.set(id, keep);
          } else {
            const increase = op.limit > limit;
            const res = await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`,
              { limit: op.limit, ...(increase ? { otp: await h.otp(holder.totpSecret) } : {}) });
            if (op.limit < limit && op.limit < held()) {
              expect(res.status).toBe(409);
              expect(res.body.code).toBe('limit_below_outstanding');
            } else {
              expect(res.status).toBe(200);
              limit = op.limit;
            }
          }
          const account = await checkLedger(accountId);
          expect(account.held_fils).toBe(held());
          expect(account.limit_fils).toBe(limit);
          expect(account.over_limit_used).toBe(exceedAuth === null ? 0 : 1);
        }
      }), { numRuns: 30 });
    }, 180_000);   // about 300 requests; generous for a loaded CI machine
  });
});
