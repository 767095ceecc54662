// POST /v1/admin/jobs/expire-holds {asOf?} (SPEC §6): an asOf later than now would release holds
// before their time (and with them the cardholder's protection against a merchant's late capture
// being refused): 400, validation style, and nothing released.
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { account, approvedPurchase, type Holder } from '../support/money.js';

const DAY = 86_400_000;

forEachBackend((backend) => {
const h = useHarness(backend);
let holder: Holder;

beforeAll(async () => {
  holder = await h.cardholder(100_000);
});

describe('expire-holds asOf', () => {
  it('refuses an asOf later than now, even by a millisecond, and releases nothing', async () => {
    await approvedPurchase(h, holder, { amount: 5_000 });
    const auditBefore = (await h.countRows('audit_log'))[0];
    for (const asOf of [new Date(h.clock.now() + 8 * DAY).toISOString(), new Date(h.clock.now() + 1).toISOString()]) {
      const res = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_error');
      expect(res.body.errors).toEqual([{ path: 'asOf', message: expect.stringMatching(/later than now/) }]);
    }
    expect((await account(h, holder)).held_fils).toBe(5_000);
    expect((await h.countRows('audit_log'))[0]).toBe(auditBefore);
  });

  it('accepts now and the past; defaults to now', async () => {
    const now = new Date(h.clock.now()).toISOString();
    const atNow = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: now });
    expect(atNow.status).toBe(200);
    expect(atNow.body).toEqual({ released: 0, asOf: now });
    const past = await h.admin('POST', '/v1/admin/jobs/expire-holds', { asOf: new Date(h.clock.now() - DAY).toISOString() });
    expect(past.status).toBe(200);
    h.clock.advance(8 * DAY);
    const byDefault = await h.admin('POST', '/v1/admin/jobs/expire-holds');
    expect(byDefault.status).toBe(200);
    expect(byDefault.body).toEqual({ released: 1, asOf: new Date(h.clock.now()).toISOString() });
    expect((await account(h, holder)).held_fils).toBe(0);
  });
});
});
