// Statements index: one link a month from the card account's opening month to this month (Kuwait
// time), newest first, each to the printable statement; linked from the dashboard and navigation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { statementMonths } from '../../src/domain/statement.js';
import { Harness } from '../support/harness.js';
import { webSession } from '../support/web.js';

let h: Harness;
beforeAll(async () => { h = await Harness.create(); });
afterAll(() => h.close());

const DAY = 86_400_000;

it('months run from the opening month to this month in Kuwait time, newest first, across a year end', () => {
  // 2025-11-30 22:00 UTC is already 1 December in Kuwait.
  expect(statementMonths(Date.UTC(2025, 10, 30, 22), Date.UTC(2026, 1, 3))).toEqual(['2026-02', '2026-01', '2025-12']);
  expect(statementMonths(Date.UTC(2026, 4, 10), Date.UTC(2026, 4, 20))).toEqual(['2026-05']);
});

it('lists every month since the account opened, each linking to its statement, in both languages', async () => {
  const { customer, totpSecret, card } = await h.cardholder();
  const opened = h.clock.now();
  h.clock.advance(65 * DAY);
  // The first session timed out meanwhile.
  const web = webSession(h, await h.login(customer.username, customer.password, await h.otp(totpSecret)));
  const expected = statementMonths(opened, h.clock.now());
  expect(expected.length).toBeGreaterThanOrEqual(3);

  const dashboard = await web.get('/');
  expect(dashboard.text).toContain(`href="/statements?card=${card.id}"`);
  expect(dashboard.text).toMatch(/<nav[^>]*>[\s\S]*href="\/statements"/);

  const index = await web.get('/statements');
  expect(index.status).toBe(200);
  const links = [...index.text.matchAll(/href="\/statements\/([^/"]+)\/(\d{4}-\d{2})"/g)];
  expect(links.map((m) => m[2])).toEqual(expected);
  expect(new Set(links.map((m) => m[1]))).toEqual(new Set([card.id]));
  expect(index.text).toMatch(/aria-current="page"[^>]*>Statements|href="\/statements" aria-current="page"/);

  const statement = await web.get(`/statements/${card.id}/${expected[0]}`);
  expect(statement.status).toBe(200);
  expect(statement.text).toContain('data-print');
  expect(statement.text).not.toContain('onclick');

  const arabic = await web.get(`/statements?card=${card.id}&lang=ar`);
  expect(arabic.text).toMatch(/dir="rtl"/);
  const [year, month] = expected[0].split('-').map(Number);
  const name = new Intl.DateTimeFormat('ar-KW-u-nu-latn', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(year, month - 1, 15));
  expect(arabic.text).toContain(name);
  expect(arabic.text).toContain('هذا الشهر حتى الآن');
});

it('another customer\'s card is not found; no card yet shows the empty state', async () => {
  const { card } = await h.cardholder();
  const other = await h.cardholder();
  expect((await webSession(h, other.token).get(`/statements?card=${card.id}`)).status).toBe(404);

  const customer = await h.createCustomer();
  const fresh = webSession(h, await h.login(customer.username, customer.password));
  const empty = await fresh.get('/statements');
  expect(empty.status).toBe(200);
  expect(empty.text).not.toMatch(/href="\/statements\/[^"]+\/\d{4}-\d{2}"/);
});
