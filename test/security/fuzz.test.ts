// Hostile input (issue 7 §5): thousands of random and mutated requests to every route of the three
// APIs (enumerated from /openapi.json), signed and unsigned, with and without valid credentials.
// Never a 5xx; a rejected request (4xx) changes no state (row counts and balances unchanged);
// no answer ever contains a PAN, a CVV2, a secret or a token.
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { contentType, extraHeaders, method, mutated, paramValue, rawBody, routesFromOpenApi, type Route } from '../support/fuzz.js';
import { ADMIN_KEY, Harness, NETWORK_SECRET } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

// Tables whose changes on a refused request are the point (failure counters, rate-limit windows)
// are not compared; sessions' last_seen_at slides on any authenticated request.
const COUNTED = ['customers', 'current_accounts', 'card_accounts', 'cards', 'network_clients', 'authorizations', 'reversals',
  'ledger_transfers', 'clearings', 'payments', 'idempotency_keys', 'sessions', 'notifications', 'three_ds_authentications',
  'staff_keys', 'audit_log', 'fx_rates', 'data_keys', 'products'];

forEachBackend((backend) => {
const h = useHarness(backend, { env: { RATE_LIMIT_LOGIN_PER_MIN: '1000000', RATE_LIMIT_ADMIN_PER_MIN: '1000000', RATE_LIMIT_SENSITIVE_PER_MIN: '1000000' } });
let holder: Awaited<ReturnType<Harness['cardholder']>>;
let routes: Route[];
let validBodies: Record<string, Record<string, unknown>>;
let paramValues: Record<string, string[]>;
let secrets: string[];

beforeAll(async () => {
  holder = await h.cardholder(200_000);
  await h.authorize(holder, { amount: 1_000 });
  await setThreeDsThreshold(h, 50_000);
  const challenge = await startThreeDs(h, holder, { amount: 60_000 });
  await h.admin('PUT', '/v1/admin/fx-rates/840', { rate: '0.3' });
  const doc = (await h.request('GET', '/openapi.json')).body;
  routes = routesFromOpenApi(doc, [{ method: 'POST', path: '/v1/network/authorizations' }]);
  const purchase = h.purchase(holder);
  validBodies = {
    '/v1/network/authorizations': purchase,
    '/v1/network/reversals': { acquirerId: '412345', rrn: '633000000001', stan: '000001', transmissionTime: new Date(h.clock.now()).toISOString() },
    '/v1/network/3ds/authentications': { pan: holder.pan, expiry: holder.expiry, amount: 1_000, currency: '414', merchantId: 'M-1', merchantName: 'Shop' },
    '/v1/network/clearings': { records: [{ rrn: '633000000001', acquirerId: '412345', amount: 1_000, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'Shop' }] },
    '/v1/banking/sessions': { username: holder.customer.username, password: 'wrong password', otp: '000000' },
    '/v1/banking/cards': { limit: 100_000 },
    '/v1/banking/cards/{id}/reveal': { otp: '000000' },
    '/v1/banking/cards/{id}/limit': { limit: 100_000, otp: '000000' },
    '/v1/banking/cards/{id}/over-limit': { enabled: true, otp: '000000' },
    '/v1/banking/cards/{id}/payments': { amount: 1_000, fromAccountId: holder.customer.currentAccountId },
    '/v1/banking/3ds/challenges/{id}/approve': { otp: '000000' },
    '/v1/banking/mfa/totp/confirm': { otp: '000000' },
    '/v1/admin/customers': { username: 'fuzzed', password: 'correct horse', name: 'F', currentAccountBalance: 0 },
    '/v1/admin/products/{code}': { threeDSecureThreshold: 50_000 },
    '/v1/admin/fx-rates/{currency}': { rate: '0.3' },
    '/v1/admin/cards/{id}/block': { reason: 'fuzz' },
    '/v1/admin/keys': { name: 'fuzz', role: 'auditor' },
  };
  paramValues = {
    id: [holder.card.id, challenge.body.id, holder.customer.id, 'card_nope', holder.pan],
    code: ['internet-shopping', 'nope'], currency: ['840', 'USD', 'XXX', '414'], month: ['2026-11', '2026-13', '1999-01'],
    keyId: ['net_nope'],
  };
  secrets = [holder.pan, holder.token, holder.totpSecret, ADMIN_KEY, NETWORK_SECRET];
});

/** Row counts, card statuses and balances, in one round trip. */
async function snapshot(): Promise<string> {
  const parts = [
    ...COUNTED.map((t) => `select '${t}' as k, count(*) as n from ${t}`),
    `select 'cards:' || status as k, count(*) as n from cards group by status`,
    `select 'money' as k, sum(held_fils) + 3 * sum(posted_fils) + 7 * sum(limit_fils) + sum(over_limit_enabled) as n from card_accounts`,
    `select 'current' as k, sum(balance_fils) as n from current_accounts`,
  ];
  const rows = await sql<{ k: string; n: number }>`${sql.raw(parts.join(' union all '))}`.execute(h.deps.handle.db);
  return JSON.stringify(rows.rows.map((r) => [r.k, Number(r.n)]).sort());
}

const request = () => fc.record({
  route: fc.constantFrom(...routes),
  method: fc.option(method, { freq: 4 }),
  params: fc.record({ id: paramValue(paramValues.id), code: paramValue(paramValues.code), currency: paramValue(paramValues.currency),
    month: paramValue(paramValues.month), keyId: paramValue(paramValues.keyId) }),
  body: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant('valid') }, { weight: 2, arbitrary: fc.constant('raw') }), { nil: undefined, freq: 6 }),
  mutation: fc.nat(),
  raw: rawBody,
  contentType,
  headers: extraHeaders,
  auth: fc.constantFrom('valid', 'valid', 'valid', 'none', 'wrong', 'cookie'),
  suffix: fc.constantFrom('', '', '', '/', '/extra', '?x=1', '%2e%2e/admin', '//'),
});

describe('fuzzing every route', () => {
  it(`survives ${RUNS} hostile requests: no 5xx, no state change when refused, no secret echoed`, async () => {
    const statuses = new Map<number, number>();
    let seed = 0;
    // State only changes through these requests: the snapshot after one is the one before the next.
    let before = await snapshot();
    await fc.assert(fc.asyncProperty(request(), async (r) => {
      const path = r.route.path.replace(/\{(\w+)\}/g, (_, name: string) => (r.params as Record<string, string>)[name] ?? 'x') + r.suffix;
      const m = r.method ?? r.route.method;
      let raw: string | undefined;
      if (r.body === 'valid') {
        const valid = validBodies[r.route.path] ?? {};
        raw = fc.sample(mutated(valid), { numRuns: 1, seed: r.mutation })[0];
      } else if (r.body === 'raw') {
        raw = r.raw;
      }
      if (m === 'GET' || m === 'HEAD') raw = undefined;
      const headers: Record<string, string> = { ...r.headers };
      if (r.contentType && raw !== undefined) headers['content-type'] = r.contentType;
      const signPath = path.split('?')[0];
      if (path.startsWith('/v1/network')) {
        if (r.auth === 'valid') Object.assign(headers, h.signedHeaders(m, signPath, raw ?? ''));
        else if (r.auth === 'wrong') Object.assign(headers, h.signedHeaders(m, signPath, raw ?? '', { secret: 'not-the-secret-0123456789' }));
      } else if (path.startsWith('/v1/admin')) {
        if (r.auth === 'valid') headers.authorization = `Bearer ${ADMIN_KEY}`;
        else if (r.auth === 'wrong') headers.authorization = 'Bearer stf_guess';
      } else if (r.auth === 'valid' && !(m === 'DELETE' && path.startsWith('/v1/banking/sessions'))) {
        headers.authorization = `Bearer ${holder.token}`;
      } else if (r.auth === 'cookie') {
        headers.cookie = `isc_session=${holder.token}`;
      } else if (r.auth === 'wrong') {
        headers.authorization = 'Bearer not-a-token';
      }
      const res = await h.app.request(path, { method: m, headers, body: raw });
      // Server-sent event streams never end: their headers are the answer.
      const streaming = (res.headers.get('content-type') ?? '').includes('event-stream');
      if (streaming) await res.body?.cancel();
      const text = streaming ? '' : await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      seed += 1;
      expect(res.status, `${m} ${path} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      const after = await snapshot();
      if (res.status >= 400) expect(after, `${m} ${path} → ${res.status} changed state`).toBe(before);
      before = after;
      for (const s of secrets) expect(text.includes(s), `${m} ${path} echoed a secret`).toBe(false);
      expect(text).not.toMatch(new RegExp(`"cvv2"\\s*:\\s*"${holder.cvv2}"`));
      if (res.status >= 400 && m !== 'HEAD') expect(res.headers.get('content-type') ?? '').toMatch(/json/);
    }), { numRuns: RUNS, seed: 7_000 + (backend === 'postgres' ? 1 : 0), endOnFailure: true });
    // The run really exercised success and refusal alike.
    const by = (f: (s: number) => boolean) => [...statuses].filter(([s]) => f(s)).reduce((n, [, c]) => n + c, 0);
    expect(by((s) => s < 300)).toBeGreaterThan(RUNS / 50);
    expect(by((s) => s >= 400)).toBeGreaterThan(RUNS / 4);
    expect(seed).toBe(RUNS);
  }, 300_000);
});
});
