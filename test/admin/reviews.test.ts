// GET /v1/admin/reviews: advices the issuer would have decided otherwise, clearings flagged
// needs_review and reversal advices for unknown originals; newest first, filters, cursor; roles
// admin, ops and auditor; a PAN only ever masked.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { approvedPurchase, clear, recordFor, type Holder } from '../support/money.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  const ids: Record<string, string> = {};
  let middle = 0;
  beforeAll(async () => {
    holder = await h.cardholder(100_000);
    // Not flagged: an advice the issuer agrees with, and a matched clearing.
    const fine = await h.network('/v1/network/authorization-advices', { ...h.purchase(holder, { amount: 1_000 }), mti: '0120' });
    const matched = await approvedPurchase(h, holder, { amount: 1_000 });
    await clear(h, [recordFor(matched.request, matched.authCode)]);
    expect(fine.body.needsReview).toBe(false);
    h.clock.advance(1_000);
    // Flagged: an ATM advice, then an unmatched clearing, then a reversal advice for nothing.
    const atm = await h.network('/v1/network/authorization-advices', {
      ...h.purchase(holder, { amount: 2_000, processingCode: '010000', mcc: '6011', posEntryMode: '051' }), mti: '0120' });
    ids.advice = atm.body.authorizationId;
    h.clock.advance(1_000);
    middle = h.clock.now();
    const [unmatched] = await clear(h, [{ pan: holder.pan, rrn: 'REVIEWUNM001', acquirerId: '412345', amount: 700, currency: '414',
      processingCode: '000000', mcc: '5732', merchantName: 'Nowhere Shop' }]);
    expect(unmatched).toMatchObject({ status: 'posted_unmatched', needsReview: true });
    ids.clearing = unmatched.transactionId!;
    h.clock.advance(1_000);
    const rev = await h.network('/v1/network/reversal-advices', { acquirerId: '412345', rrn: 'REVIEWNONE01', stan: h.nextStan(),
      transmissionTime: new Date(h.clock.now()).toISOString() });
    expect(rev.body).toMatchObject({ responseCode: '00', needsReview: true });
    ids.reversal = (await h.deps.handle.db.selectFrom('reversal_advices').select('id').where('rrn', '=', 'REVIEWNONE01').executeTakeFirstOrThrow()).id;
  });

  describe('GET /v1/admin/reviews', () => {
    it('lists every flagged item, newest first, and nothing that is not flagged', async () => {
      const res = await h.admin('GET', '/v1/admin/reviews');
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.map((i: { id: string; kind: string }) => [i.kind, i.id])).toEqual([
        ['reversal_advice', ids.reversal], ['clearing', ids.clearing], ['advice', ids.advice],
      ]);
      expect(res.body.nextCursor).toBeNull();
      const advice = res.body.data[2];
      expect(advice).toMatchObject({ amount: 2_000, currency: 'KWD', responseCode: '00', maskedPan: `${holder.pan.slice(0, 6)}******${holder.pan.slice(-4)}` });
      expect(res.body.data[0]).toMatchObject({ reason: 'unknown_original', rrn: 'REVIEWNONE01', authorizationId: null });
      expect(res.text).not.toContain(holder.pan);
    });

    it('filters by kind and by time', async () => {
      const clearings = await h.admin('GET', '/v1/admin/reviews?kind=clearing');
      expect(clearings.body.data.map((i: { id: string }) => i.id)).toEqual([ids.clearing]);
      const from = new Date(middle).toISOString();
      const later = await h.admin('GET', `/v1/admin/reviews?from=${encodeURIComponent(from)}`);
      expect(later.body.data.map((i: { id: string }) => i.id)).toEqual([ids.reversal, ids.clearing]);
      const earlier = await h.admin('GET', `/v1/admin/reviews?to=${encodeURIComponent(from)}`);
      expect(earlier.body.data.map((i: { id: string }) => i.id)).toEqual([ids.advice]);
      const bad = await h.admin('GET', '/v1/admin/reviews?kind=everything');
      expect(bad.status).toBe(400);
    });

    it('pages with a cursor, each item once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ id: string }>; nextCursor: string | null } } =
          await h.admin('GET', `/v1/admin/reviews?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.body.data.map((i) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([ids.reversal, ids.clearing, ids.advice]);
      const forged = await h.admin('GET', '/v1/admin/reviews?cursor=bm9wZQ');
      expect(forged.status).toBe(400);
    });

    it('ops and auditor keys may read; no key may not', async () => {
      for (const role of ['ops', 'auditor']) {
        const key = await h.admin('POST', '/v1/admin/keys', { name: `reviews ${role}`, role });
        expect(key.status).toBe(200);
        const res = await h.admin('GET', '/v1/admin/reviews', undefined, key.body.key);
        expect(res.status).toBe(200);
        expect(res.body.data).toHaveLength(3);
      }
      expect((await h.request('GET', '/v1/admin/reviews')).status).toBe(401);
    });

    it('is documented in the OpenAPI', async () => {
      const doc = await h.request('GET', '/openapi.json');
      expect(doc.body.paths['/v1/admin/reviews'].get).toBeDefined();
      expect(doc.body.paths['/v1/network/authorization-advices'].post).toBeDefined();
      expect(doc.body.paths['/v1/network/reversal-advices'].post).toBeDefined();
    });
  });
});
