// 3-D Secure (SPEC §7) end to end: gateway → issuer → cardholder → authorization rules 05 and 65.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import type { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { authorizeWithCavv, authorizeWithCavvAndCvv2, readThreeDs, setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Awaited<ReturnType<Harness['cardholder']>>;
const THRESHOLD = 50_000;

beforeAll(async () => {
  holder = await h.cardholder(200_000);
});

/** An account verification at the merchant: the card then knows it (frictionless below the ceiling). */
async function knowMerchant(card: typeof holder, merchantId = 'M-1001') {
  const res = await h.authorize(card, { amount: 0, merchantId });
  expect(res.body).toMatchObject({ responseCode: '85', reason: 'verified' });
}

const challenges = async () => (await h.banking(holder.token, 'GET', '/v1/banking/3ds/challenges')).body.data as Array<Record<string, unknown>>;

describe('without a threshold', () => {
  beforeEach(() => setThreeDsThreshold(h, null));

  it('is frictionless below the ceiling at a known merchant: Y, ECI 05 and a 20-byte CAVV that authorizes once', async () => {
    await knowMerchant(holder);
    const res = await startThreeDs(h, holder, { amount: 15_000 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transStatus: 'Y', eci: '05' });
    expect(res.body.id).toMatch(/^3ds_/);
    expect(Buffer.from(res.body.cavv, 'base64')).toHaveLength(20);
    const auth = await authorizeWithCavv(h, holder, res.body.cavv, { amount: 15_000, cvv2: holder.cvv2 });
    expect(auth.body).toMatchObject({ responseCode: '00', approved: true });
    const read = await readThreeDs(h, res.body.id);
    expect(read.body).toEqual({ id: res.body.id, transStatus: 'Y', eci: '05', cavv: res.body.cavv });
  });

  it('never echoes the PAN', async () => {
    const res = await startThreeDs(h, holder);
    expect(res.text).not.toContain(holder.pan);
  });
});

describe('with a threshold', () => {
  beforeEach(() => setThreeDsThreshold(h, THRESHOLD));

  it('plays no part in 3-D Secure: below it but at the ceiling is a challenge, below the ceiling frictionless', async () => {
    await knowMerchant(holder);
    const between = await startThreeDs(h, holder, { amount: THRESHOLD - 1 });
    expect(between.body.transStatus).toBe('C');
    await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${between.body.id}/decline`);
    expect((await startThreeDs(h, holder, { amount: 19_999 })).body.transStatus).toBe('Y');
    expect(await challenges()).toEqual([]);
  });

  it('the ceiling compares the billing amount in KWD', async () => {
    await knowMerchant(holder);
    await h.admin('PUT', '/v1/admin/fx-rates/840', { rate: '0.3' });
    // 60.00 USD at 0.3 + 2.5 % = 18.450 KD: below the 20 KD ceiling; 70.00 USD = 21.525 KD: above.
    expect((await startThreeDs(h, holder, { amount: 6_000, currency: '840' })).body.transStatus).toBe('Y');
    const above = await startThreeDs(h, holder, { amount: 7_000, currency: '840' });
    expect(above.body.transStatus).toBe('C');
    await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${above.body.id}/decline`);
  });

  it('challenges at it; the cardholder approves with a code; the CAVV authorizes once', async () => {
    const holder = await h.cardholder(200_000);
    const challenges = async () => (await h.banking(holder.token, 'GET', '/v1/banking/3ds/challenges')).body.data as Array<Record<string, unknown>>;
    const res = await startThreeDs(h, holder, { amount: THRESHOLD, merchantName: 'Big Screen Store' });
    expect(res.body).toEqual({ id: res.body.id, transStatus: 'C' });
    const listed = await challenges();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: res.body.id, amount: THRESHOLD, currency: 'KWD', merchantName: 'Big Screen Store' });
    expect(new Date(listed[0].expiresAt as string).getTime()).toBe(h.clock.now() + 5 * 60_000);
    const note = await h.deps.handle.db.selectFrom('notifications').selectAll()
      .where('customer_id', '=', holder.customer.id).where('kind', '=', 'three_ds_challenge').execute();
    expect(note.length).toBeGreaterThan(0);
    expect(note.at(-1)!.message).not.toContain(holder.pan);
    expect((await readThreeDs(h, res.body.id)).body.transStatus).toBe('C');

    const approved = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ id: res.body.id, transStatus: 'Y' });
    expect(await challenges()).toEqual([]);

    const read = await readThreeDs(h, res.body.id);
    expect(read.body).toMatchObject({ transStatus: 'Y', eci: '05' });
    // The CAVV of an approved challenge waives CVV2 (SPEC §7).
    const auth = await authorizeWithCavv(h, holder, read.body.cavv, { amount: THRESHOLD, merchantName: 'Big Screen Store' });
    expect(auth.body).toMatchObject({ responseCode: '00', approved: true });
    const replay = await authorizeWithCavvAndCvv2(h, holder, read.body.cavv, { amount: THRESHOLD });
    expect(replay.body).toMatchObject({ responseCode: '05', reason: 'authentication_failed' });
  });

  it('decline gives N, and a claimed authentication is then declined 05', async () => {
    const res = await startThreeDs(h, holder, { amount: 60_000 });
    const declined = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/decline`);
    expect(declined.body).toEqual({ id: res.body.id, transStatus: 'N' });
    expect((await readThreeDs(h, res.body.id)).body).toEqual({ id: res.body.id, transStatus: 'N' });
    const again = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
    expect(again.status).toBe(409);
    const auth = await authorizeWithCavvAndCvv2(h, holder, Buffer.alloc(20, 7).toString('base64'), { amount: 60_000 });
    expect(auth.body).toMatchObject({ responseCode: '05', reason: 'authentication_failed' });
  });

  it('an unanswered challenge is N after 5 minutes and can no longer be approved', async () => {
    const res = await startThreeDs(h, holder, { amount: 60_000 });
    h.clock.advance(5 * 60_000 - 1);
    expect((await readThreeDs(h, res.body.id)).body.transStatus).toBe('C');
    h.clock.advance(1);
    expect((await readThreeDs(h, res.body.id)).body.transStatus).toBe('N');
    expect(await challenges()).toEqual([]);
    const late = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
    expect(late.status).toBe(409);
    const audit = await h.deps.handle.db.selectFrom('audit_log').selectAll().where('subject', '=', res.body.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['three_ds.challenged', 'three_ds.expired']);
  });

  it('wrong codes count toward the step-up lockout', async () => {
    const res = await startThreeDs(h, holder, { amount: 60_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: '000000' })).status);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    const locked = await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(holder.totpSecret) });
    expect(locked.status).toBe(429);
    expect((await readThreeDs(h, res.body.id)).body.transStatus).toBe('C');
    h.clock.advance(16 * 60_000); // the lock and the challenge both run out
  });

  it('declines 65 at the threshold without authentication; ECI 06 (attempted) is not authentication', async () => {
    // 1A on a Visa card (the default BIN starts with 4).
    const plain = await h.authorize(holder, { amount: THRESHOLD });
    expect(plain.body).toMatchObject({ responseCode: '1A', reason: 'authentication_required' });
    const attempted = await h.authorize(holder, { amount: THRESHOLD, eci: '06', cavv: Buffer.alloc(20, 1).toString('base64') });
    expect(attempted.body).toMatchObject({ responseCode: '1A', reason: 'authentication_required' });
    // An attempted ECI with a genuine CAVV does not consume it either.
    const fresh = await h.cardholder(100_000);
    await knowMerchant(fresh);
    const y = await startThreeDs(h, fresh, { amount: 1_000 });
    expect((await h.authorize(fresh, { amount: 1_000, eci: '06', cavv: y.body.cavv })).body.responseCode).toBe('00');
    expect((await authorizeWithCavv(h, fresh, y.body.cavv, { amount: 1_000, cvv2: fresh.cvv2 })).body.responseCode).toBe('00');
  });
});

describe('CAVV binding', () => {
  beforeEach(() => setThreeDsThreshold(h, null));

  it('fails with another amount, currency, merchant, card, or after 10 minutes', async () => {
    const holder = await h.cardholder(100_000);
    const other = await h.cardholder(100_000);
    await knowMerchant(holder);
    const fresh = async () => (await startThreeDs(h, holder, { amount: 2_000 })).body.cavv as string;
    // With the right CVV2 each time: only the CAVV is wrong.
    const withCavv = (card: typeof holder, cavv: string, o: Record<string, unknown>) => authorizeWithCavv(h, card, cavv, { cvv2: card.cvv2, ...o });
    expect((await withCavv(holder, await fresh(), { amount: 2_001 })).body.responseCode).toBe('05');
    await h.admin('PUT', '/v1/admin/fx-rates/840', { rate: '0.3' });
    expect((await withCavv(holder, await fresh(), { amount: 2_000, currency: '840' })).body.responseCode).toBe('05');
    expect((await withCavv(holder, await fresh(), { amount: 2_000, merchantId: 'M-9999' })).body.responseCode).toBe('05');
    expect((await withCavv(other, await fresh(), { amount: 2_000 })).body.responseCode).toBe('05');
    const old = await fresh();
    h.clock.advance(10 * 60_000);
    expect((await withCavv(holder, old, { amount: 2_000 })).body.responseCode).toBe('05');
    // A tampered byte anywhere fails; the genuine one still works.
    const good = await fresh();
    const raw = Buffer.from(good, 'base64');
    raw[15] ^= 1;
    expect((await withCavv(holder, raw.toString('base64'), { amount: 2_000 })).body.responseCode).toBe('05');
    expect((await withCavv(holder, 'not-a-cavv', { amount: 2_000 })).body.responseCode).toBe('05');
    expect((await withCavv(holder, good, { amount: 2_000 })).body.responseCode).toBe('00');
  });
});

describe('refusals', () => {
  beforeEach(() => setThreeDsThreshold(h, THRESHOLD));

  it('unknown cards, wrong expiry and cards that must not pay get N at once', async () => {
    expect((await startThreeDs(h, { ...holder, pan: '4657810000000001' })).body.transStatus).toBe('N');
    expect((await startThreeDs(h, { ...holder, expiry: '0101' })).body.transStatus).toBe('N');
    const blocked = await h.cardholder(100_000);
    await h.admin('POST', `/v1/admin/cards/${blocked.card.id}/block`, { reason: 'fraud review' });
    const res = await startThreeDs(h, blocked, { amount: 60_000 });
    expect(res.body).toEqual({ id: res.body.id, transStatus: 'N' });
    for (const status of ['frozen', 'lost', 'stolen'] as const) {
      await h.deps.handle.db.updateTable('cards').set({ status }).where('id', '=', blocked.card.id).execute();
      expect((await startThreeDs(h, blocked, { amount: 1_000 })).body.transStatus).toBe('N');
    }
  });

  it('only the network client that created an authentication can read it', async () => {
    const res = await startThreeDs(h, holder, { amount: 1_000 });
    const client = await h.admin('POST', '/v1/admin/network-clients', { name: 'other gateway', acquirerIds: ['412345'] });
    const other = await readThreeDs(h, res.body.id, { keyId: client.body.keyId, secret: client.body.secret });
    expect(other.status).toBe(404);
    expect((await readThreeDs(h, 'no-such-id')).status).toBe(404);
    expect((await readThreeDs(h, res.body.id)).status).toBe(200);
  });

  it('another customer cannot see or answer my challenge', async () => {
    const res = await startThreeDs(h, holder, { amount: 60_000 });
    const other = await h.cardholder(100_000);
    expect((await h.banking(other.token, 'GET', '/v1/banking/3ds/challenges')).body.data).toEqual([]);
    const answer = await h.banking(other.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/approve`, { otp: await h.otp(other.totpSecret) });
    expect(answer.status).toBe(404);
    expect((await h.banking(other.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/decline`)).status).toBe(404);
    await h.banking(holder.token, 'POST', `/v1/banking/3ds/challenges/${res.body.id}/decline`);
  });

  it('rejects malformed requests with 400 / 30 and unsigned ones with 401', async () => {
    const bad = await h.network('/v1/network/3ds/authentications', { pan: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.responseCode).toBe('30');
    const unsigned = await h.request('POST', '/v1/network/3ds/authentications', { body: { pan: holder.pan } });
    expect(unsigned.status).toBe(401);
  });
});
});
