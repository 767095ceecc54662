// A second network client, bound to its own acquirer, goes after another client's business through
// the verbs the existing scope tests do not cover: reversal advices by authorizationId, an
// authorization advice reusing another client's acquirerId + rrn, split clearings, idempotency keys
// of advices, and PAN / CVV2 in the answers and logs of the advice routes (SPEC §5, §6).
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';

const SHARED = '500001';

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  let attacker: { keyId: string; secret: string };
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
    const created = await h.admin('POST', '/v1/admin/network-clients', { name: 'rogue gateway', acquirerIds: [SHARED] });
    attacker = { keyId: created.body.keyId, secret: created.body.secret };
  });

  const authRow = (id: string) => h.deps.handle.db.selectFrom('authorizations').select(['status', 'hold_fils', 'superseded_by'])
    .where('id', '=', id).executeTakeFirstOrThrow();
  const time = () => new Date(h.clock.now()).toISOString();

  it("a reversal advice naming another client's authorization by id releases nothing and is flagged unknown", async () => {
    const purchase = h.purchase(holder, { acquirerId: SHARED, amount: 1_200 });
    const auth = await h.network('/v1/network/authorizations', purchase);
    expect(auth.body.approved).toBe(true);
    const res = await h.network('/v1/network/reversal-advices', { mti: '0420', authorizationId: auth.body.authorizationId, stan: h.nextStan(), transmissionTime: time() }, attacker);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ responseCode: '00', reversedAmount: 0, needsReview: true });
    expect(await authRow(auth.body.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 1_200 });
    // By acquirerId + rrn too.
    const byRrn = await h.network('/v1/network/reversal-advices', { mti: '0420', acquirerId: SHARED, rrn: purchase.rrn, stan: h.nextStan(), transmissionTime: time() }, attacker);
    expect(byRrn.body).toEqual({ responseCode: '00', reversedAmount: 0, needsReview: true });
    expect(await authRow(auth.body.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 1_200 });
  });

  it("an authorization advice with another client's acquirerId + rrn does not replace its decision", async () => {
    const purchase = h.purchase(holder, { acquirerId: SHARED, amount: 1_300 });
    const auth = await h.network('/v1/network/authorizations', purchase);
    expect(auth.body.approved).toBe(true);
    const advice = { ...purchase, mti: '0120', responseCode: '05', stan: h.nextStan() };
    const res = await h.network('/v1/network/authorization-advices', advice, attacker);
    expect(res.body.responseCode).toBe('00');
    expect(await authRow(auth.body.authorizationId)).toEqual({ status: 'pending', hold_fils: 1_300, superseded_by: null });
  });

  it("split clearing parts from another client leave the authorization's hold alone", async () => {
    const purchase = h.purchase(holder, { acquirerId: SHARED, amount: 2_000 });
    const auth = await h.network('/v1/network/authorizations', purchase);
    expect(auth.body.approved).toBe(true);
    const part = (seq: number) => ({ rrn: purchase.rrn, authCode: auth.body.authCode, acquirerId: SHARED, amount: 1_000, currency: '414',
      processingCode: '000000', mcc: '5732', merchantName: 'Gulf Books Online', clearingSequence: seq, clearingCount: 2 });
    const res = await h.network('/v1/network/clearings', { records: [part(1), part(2)] }, attacker);
    expect(res.status).toBe(200);
    for (const r of res.body.results) expect(r.status).not.toBe('posted');
    expect(await authRow(auth.body.authorizationId)).toMatchObject({ status: 'pending', hold_fils: 2_000 });
  });

  it("an advice with another client's acquirerId + stan + time is a new message, not a replay of theirs", async () => {
    const body = { ...h.purchase(holder, { acquirerId: SHARED, amount: 400 }), mti: '0120', responseCode: '05' };
    const first = await h.network('/v1/network/authorization-advices', body);
    const second = await h.network('/v1/network/authorization-advices', body, attacker);
    expect(second.body.authorizationId).not.toBe(first.body.authorizationId);
    const third = await h.network('/v1/network/authorization-advices', { ...body, amount: 401 }, attacker);
    expect(third.body.responseCode).toBe('94');
    expect((await h.network('/v1/network/authorization-advices', body)).body).toEqual(first.body);
  });

  it('no PAN or CVV2 in the advice answers, their errors, or the log', async () => {
    const bodies = [
      { ...h.purchase(holder, { acquirerId: SHARED, amount: 100 }), mti: '0120', responseCode: '00' },
      { ...h.purchase(holder, { acquirerId: '999', amount: 100 }), mti: '0120' }, // another acquirer: 403
      { ...h.purchase(holder, { acquirerId: SHARED, amount: 'x' }), mti: '0120' }, // malformed: 400
    ];
    const texts: string[] = [];
    for (const b of bodies) texts.push((await h.network('/v1/network/authorization-advices', b, attacker)).text);
    texts.push((await h.network('/v1/network/reversal-advices', { pan: holder.pan, cvv2: holder.cvv2, stan: h.nextStan(), transmissionTime: time() }, attacker)).text);
    const reviews = await h.admin('GET', '/v1/admin/reviews');
    expect(reviews.status).toBe(200);
    texts.push(reviews.text ?? '');
    for (const t of [...texts, ...h.logLines]) {
      expect(t).not.toContain(holder.pan);
      expect(t).not.toMatch(new RegExp(`cvv2?"?\\s*[:=]\\s*"?${holder.cvv2}`, 'i'));
    }
  });
});
