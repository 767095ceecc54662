// The event stream's catch-up (http/banking/notification-replayer.ts) against a real database on
// both backends: whatever mix of purchases, blocked attempts, declines without an alert and stored
// notifications arrives between its reads — many in one millisecond, more than a batch, the clock
// leaping past the commit-skew window — every notification is sent exactly once, oldest first. Its
// chain reads start where the previous read left each account (chainedFromMs), not at the window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMIT_SKEW_MS, Replayer } from '../../src/http/banking/notification-replayer.js';
import { notificationsSince } from '../../src/service/banking/notifications.js';
import { addNotification, notificationRows } from '../../src/store/notifications.repository.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  describe('notification replayer', () => {
    it('property: sends every notification exactly once, oldest first, whatever arrives between its reads', async () => {
      const step = fc.constantFrom('approve', 'atm', 'chip', 'mcc', 'stored', 'tick', 'leap', 'flush', 'flush');
      await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 3 }), async (steps, batch) => {
        const holder = await h.cardholder(200_000);
        const customerId = holder.customer.id;
        // As the stream starts without Last-Event-ID: what is already there counts as seen.
        const startMs = h.clock.now();
        const replayer = new Replayer(h.deps, customerId, 'en', startMs, batch);
        const seen = await notificationsSince(h.deps, customerId, startMs - COMMIT_SKEW_MS, 10_000);
        for (const row of seen) replayer.skip(row);
        const sent: Array<{ id: string; createdAt: number }> = [];
        const out = { writeSSE: async (m: { id?: string; data: string }) => { sent.push({ id: m.id!, createdAt: Date.parse(JSON.parse(m.data).createdAt) }); } };
        for (const s of steps) {
          if (s === 'approve') await h.authorize(holder, { amount: 100 });
          else if (s === 'atm') await h.authorize(holder, { mcc: '6011', processingCode: '010000' });
          else if (s === 'chip') await h.authorize(holder, { posEntryMode: '051' });
          else if (s === 'mcc') await h.authorize(holder, { mcc: '4829' });
          else if (s === 'stored') {
            await addNotification(h.deps.handle.db, { customerId, kind: 'new_login', severity: 'info', message: 'login', nowMs: h.clock.now() });
          } else if (s === 'tick') h.clock.advance(1);
          else if (s === 'leap') h.clock.advance(COMMIT_SKEW_MS + 1_000);
          else await replayer.flush(out);
        }
        await replayer.flush(out);

        const all = await notificationRows(h.deps.handle.db, customerId, { order: 'newest', before: null, limit: 10_000 });
        const skipped = new Set(seen.map((r) => r.id));
        // Older than the window the stream started with: never sent (the client did not ask for them).
        const expected = all.filter((r) => r.created_at >= startMs - COMMIT_SKEW_MS && !skipped.has(r.id)).map((r) => r.id).sort();
        expect([...sent.map((m) => m.id)].sort()).toEqual(expected);
        expect(new Set(sent.map((m) => m.id)).size).toBe(sent.length);
        for (let i = 1; i < sent.length; i++) expect(sent[i].createdAt).toBeGreaterThanOrEqual(sent[i - 1].createdAt);
      }), { numRuns: backend === 'sqlite' ? 25 : 8 });
    });

    it('reads an account\'s chain from where it was left, while stored notifications still come from the window', async () => {
      const holder = await h.cardholder(200_000);
      const customerId = holder.customer.id;
      h.clock.advance(1); // after the card's own notifications
      const fromMs = h.clock.now();
      const early = (await h.authorize(holder, { mcc: '6011', processingCode: '010000' })).body.authorizationId;
      h.clock.advance(10);
      await addNotification(h.deps.handle.db, { customerId, kind: 'new_login', severity: 'info', message: 'login', nowMs: h.clock.now() });
      h.clock.advance(10);
      const leftAt = h.clock.now();
      const late = (await h.authorize(holder, { amount: 100 })).body.authorizationId;
      const kinds = async (chainedFromMs?: Map<string, number>) => (await notificationsSince(h.deps, customerId, fromMs, 100, chainedFromMs))
        .filter((r) => r.created_at >= fromMs).map((r) => [r.kind, JSON.parse(r.data).authorizationId]);
      expect(await kinds()).toEqual([['blocked_attempt', early], ['new_login', undefined], ['purchase_approved', late]]);
      expect(await kinds(new Map([[holder.card.accountId, leftAt]]))).toEqual([['new_login', undefined], ['purchase_approved', late]]);
    });
  });
});
