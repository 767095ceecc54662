// SPEC §5 statements: per calendar month in Kuwait time (UTC+3), opening balance, every posted
// line signed (positive adds to what is owed), closing balance; lines sum to closing − opening.
import { beforeAll, describe, expect, it } from 'vitest';
import { kuwaitDate, monthBounds } from '../../src/domain/statement.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { approvedPurchase, clear, recordFor, type Holder } from '../support/money.js';

describe('statement months (pure)', () => {
  it.each([
    ['2026-11', Date.UTC(2026, 9, 31, 21), Date.UTC(2026, 10, 30, 21)],
    ['2026-12', Date.UTC(2026, 10, 30, 21), Date.UTC(2026, 11, 31, 21)],
    ['2027-01', Date.UTC(2026, 11, 31, 21), Date.UTC(2027, 0, 31, 21)],
    ['2028-02', Date.UTC(2028, 0, 31, 21), Date.UTC(2028, 1, 29, 21)],
  ])('%s runs from Kuwait midnight to Kuwait midnight', (month, start, end) => {
    expect(monthBounds(month)).toEqual({ startMs: start, endMs: end });
  });
  it.each(['2026-13', '2026-1', '26-11', '2026-00', ''])('%s is not a month', (m) => expect(monthBounds(m)).toBeNull());
  it('dates are Kuwait dates', () => {
    expect(kuwaitDate(Date.UTC(2026, 10, 30, 20, 59, 59))).toBe('2026-11-30');
    expect(kuwaitDate(Date.UTC(2026, 10, 30, 21, 0, 0))).toBe('2026-12-01');
  });
});

forEachBackend((backend) => {
  const h = useHarness(backend);
  let holder: Holder;
  let token: string;
  beforeAll(async () => {
    holder = await h.cardholder(200_000);
    token = holder.token;
    // November (Kuwait): a purchase, a refund, a payment, and a purchase at 23:59:59 on the 30th.
    const a = await approvedPurchase(h, holder, { amount: 30_000, merchantName: 'Gulf Books Online' });
    await clear(h, [recordFor(a.request, a.authCode)]);
    h.clock.advance(1_000); // lines in one millisecond have no defined order
    await clear(h, [recordFor(a.request, undefined, { processingCode: '200000', amount: 5_000 })]);
    h.clock.advance(1_000);
    const pay = await h.banking(token, 'POST', `/v1/banking/cards/${holder.card.id}/payments`,
      { amount: 10_000, fromAccountId: holder.customer.currentAccountId });
    expect(pay.status).toBe(201);
    await approvedPurchase(h, holder, { amount: 1_000 }); // a hold only: never on a statement
    h.clock.set(Date.UTC(2026, 10, 30, 20, 59, 59));
    const b = await approvedPurchase(h, holder, { amount: 2_000, merchantName: 'Late Night Shop' });
    await clear(h, [recordFor(b.request, b.authCode)]);
    // December (Kuwait) already, though still 30 November in UTC.
    h.clock.set(Date.UTC(2026, 10, 30, 21, 0, 0));
    const c = await approvedPurchase(h, holder, { amount: 3_000, merchantName: 'Early Bird Store' });
    await clear(h, [recordFor(c.request, c.authCode)]);
    token = await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
  });

  const statement = (month: string, who = holder, t = token) => h.banking(t, 'GET', `/v1/banking/cards/${who.card.id}/statements/${month}`);

  describe('statements', () => {
    it('November: opening 0, every posted line signed, closing = opening + sum of lines', async () => {
      const res = await statement('2026-11');
      expect(res.status, res.text).toBe(200);
      const s = res.body;
      expect(s.openingBalance).toBe(0);
      expect(s.lines.map((l: { amount: number; type: string }) => [l.type, l.amount])).toEqual([
        ['purchase', 30_000], ['refund', -5_000], ['payment', -10_000], ['purchase', 2_000],
      ]);
      expect(s.lines[0].description).toContain('Gulf Books Online');
      expect(s.lines[1].description).toContain('Refund');
      expect(s.lines[3]).toMatchObject({ date: '2026-11-30', description: expect.stringContaining('Late Night Shop') });
      expect(s.closingBalance).toBe(17_000);
      const sum = s.lines.reduce((t: number, l: { amount: number }) => t + l.amount, 0);
      expect(sum).toBe(s.closingBalance - s.openingBalance);
    });

    it('December opens where November closed; a line at Kuwait midnight belongs to December', async () => {
      const s = (await statement('2026-12')).body;
      expect(s.openingBalance).toBe(17_000);
      expect(s.lines).toHaveLength(1);
      expect(s.lines[0]).toMatchObject({ date: '2026-12-01', amount: 3_000 });
      expect(s.closingBalance).toBe(20_000);
      const empty = (await statement('2026-10')).body;
      expect(empty).toMatchObject({ openingBalance: 0, closingBalance: 0, lines: [] });
    });

    it('owner-scoped (another customer\'s card is 404) and validated (bad month is 400)', async () => {
      const other = await h.cardholder(100_000);
      expect((await statement('2026-11', holder, other.token)).status).toBe(404);
      expect((await statement('2026-13')).status).toBe(400);
      expect((await h.request('GET', `/v1/banking/cards/${holder.card.id}/statements/2026-11`)).status).toBe(401);
    });

    it('a printable page with the session cookie; no session → sign in, then back to it', async () => {
      const page = await h.request('GET', `/statements/${holder.card.id}/2026-11`, { headers: { cookie: `isc_session=${token}` } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('Late Night Shop');
      expect(page.text).toContain('17.000');
      const anonymous = await h.request('GET', `/statements/${holder.card.id}/2026-11`);
      expect(anonymous.status).toBe(302);
      // Signed in again, the customer comes back to the statement (a same-site path only).
      expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/statements/${holder.card.id}/2026-11`)}`);
      const other = await h.cardholder(100_000);
      const theirs = await h.request('GET', `/statements/${holder.card.id}/2026-11`, { headers: { cookie: `isc_session=${other.token}` } });
      expect(theirs.status).toBe(404);
    });
  });
});
