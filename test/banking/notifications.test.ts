// Notifications: what notifies, the newest-first list, and the server-sent event stream read over
// real HTTP (a Node server on an ephemeral port, the same app).
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';
import { allPagesChecked, bankingChecked } from '../support/openapi.js';
import { NotificationSchema } from '../../src/http/banking/schemas.js';
import { findOwnNotification } from '../../src/service/banking/notifications.js';
import { expectMatchesSchema } from '../support/openapi.js';

forEachBackend((backend) => {
const h = useHarness(backend);
let server: ServerType;
let baseUrl: string;
beforeAll(async () => {
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
});

async function kinds(token: string) {
  const res = await bankingChecked(h, token, 'GET', '/v1/banking/notifications?limit=100');
  return res.body.data.map((n: { kind: string }) => n.kind) as string[];
}

type SseEvent = { id?: string; event?: string; data?: string };

/** Opens the stream and waits for its first bytes: from then on the server is subscribed. */
async function openStream(token: string, o: { headers?: Record<string, string>; query?: string; signal?: AbortSignal } = {}) {
  const res = await fetch(`${baseUrl}/v1/banking/notifications/stream${o.query ?? ''}`, {
    headers: { authorization: `Bearer ${token}`, ...o.headers }, signal: o.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (!buffer.includes(': connected\n\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended before it started');
    buffer += decoder.decode(value, { stream: true });
  }
  return { reader, decoder, buffer };
}

/** Reads SSE events until `until` is satisfied or the stream ends (or is aborted). */
async function readEvents(stream: Awaited<ReturnType<typeof openStream>>, until: (events: SseEvent[]) => boolean) {
  const { reader, decoder } = stream;
  const events: SseEvent[] = [];
  let buffer = stream.buffer;
  for (;;) {
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || !line) continue;
        const i = line.indexOf(':');
        event[line.slice(0, i)] = line.slice(i + 1).trimStart();
      }
      if (Object.keys(event).length) events.push(event);
    }
    if (until(events)) break;
    const chunk = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return events;
}

const notificationEvents = (events: SseEvent[]) => events.filter((e) => e.event === 'notification');

describe('what notifies', () => {
  it('approvals, blocked-channel attempts, the exceed, limit changes, status changes, reveals and new logins', async () => {
    const holder = await h.cardholder(100_000);
    await h.login(holder.customer.username, holder.customer.password, await h.otp(holder.totpSecret));
    await h.authorize(holder, { amount: 1_000 });
    await h.authorize(holder, { mcc: '6011', processingCode: '010000' });
    await h.authorize(holder, { amount: 110_000 });
    await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`, { limit: 200_000, otp: await h.otp(holder.totpSecret) });
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/freeze`);
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: await h.otp(holder.totpSecret) });
    const seen = await kinds(holder.token);
    for (const kind of ['new_login', 'card_issued', 'purchase_approved', 'blocked_attempt', 'over_limit_used', 'limit_changed', 'card_status_changed', 'card_revealed']) {
      expect(seen, kind).toContain(kind);
    }
    expect(seen.filter((k) => k === 'new_login')).toHaveLength(2);
  });
});

describe('list', () => {
  it('pages newest first with a cursor; only the customer\'s own', async () => {
    const holder = await h.cardholder();
    const other = await h.cardholder();
    for (let i = 0; i < 5; i++) await h.authorize(holder, { amount: 100 + i });
    const all = await bankingChecked(h, holder.token, 'GET', '/v1/banking/notifications?limit=100');
    const ids: string[] = all.body.data.map((n: { id: string }) => n.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(all.body.data[0]).toMatchObject({ kind: 'purchase_approved', severity: 'info', cardId: holder.card.id, read: false });
    expect(all.body.data[0].data.billingAmount).toBe(104);

    const paged = await allPagesChecked<{ id: string }>(h, holder.token, '/v1/banking/notifications', 2);
    expect(paged.map((n) => n.id)).toEqual(ids);
    const theirs = await bankingChecked(h, other.token, 'GET', '/v1/banking/notifications?limit=100');
    expect(theirs.body.data.some((n: { id: string }) => ids.includes(n.id))).toBe(false);
  });
});

describe('purchase and blocked-attempt notifications (read from the authorizations)', () => {
  it('are no rows of their own; their id is the authorization\'s under the one notification prefix', async () => {
    const holder = await h.cardholder();
    const auth = await h.authorize(holder, { amount: 1_234, merchantName: 'Row Shop' });
    const atm = await h.authorize(holder, { mcc: '6011', processingCode: '010000', merchantName: 'Some ATM' });
    await h.authorize(holder, { mcc: '4829', merchantName: 'Wire Shop' }); // declined, but no alert
    const stored = await h.deps.handle.db.selectFrom('notifications').select('kind').where('customer_id', '=', holder.customer.id).execute();
    expect(stored.map((n) => n.kind)).not.toContain('blocked_attempt');
    expect(stored.map((n) => n.kind)).not.toContain('purchase_approved');

    const listed = (await bankingChecked(h, holder.token, 'GET', '/v1/banking/notifications?limit=100')).body.data;
    const purchases = listed.filter((n: { kind: string }) => n.kind === 'purchase_approved');
    expect(purchases).toHaveLength(1); // the declined ATM attempt is an alert, not a purchase
    expect(purchases[0]).toMatchObject({
      id: `ntf_${auth.body.authorizationId.slice('auth_'.length)}`, severity: 'info', cardId: holder.card.id, read: false,
      message: 'Purchase of KD 1.234 at Row Shop approved.',
      data: { authorizationId: auth.body.authorizationId, billingAmount: 1_234, merchantName: 'Row Shop' },
    });
    const alerts = listed.filter((n: { kind: string }) => n.kind === 'blocked_attempt');
    expect(alerts).toHaveLength(1); // the blocked MCC is a decline the cardholder is not alerted to
    expect(alerts[0]).toMatchObject({
      id: `ntf_${atm.body.authorizationId.slice('auth_'.length)}`, severity: 'alert', cardId: holder.card.id, read: false,
      message: 'Security alert: someone tried your card at Some ATM. Blocked: ATM cash withdrawals are not allowed on this card',
      data: { authorizationId: atm.body.authorizationId, reason: 'channel_atm_or_cash', merchantName: 'Some ATM' },
    });
  });

  it('are found by id for their own customer only, and a decline without an alert is none', async () => {
    const holder = await h.cardholder();
    const other = await h.cardholder();
    const ntf = (authorizationId: string) => `ntf_${authorizationId.slice('auth_'.length)}`;
    const purchase = (await h.authorize(holder, { amount: 700, merchantName: 'Found Shop' })).body.authorizationId;
    const attempt = (await h.authorize(holder, { posEntryMode: '051', merchantName: 'Found Till' })).body.authorizationId;
    const quiet = (await h.authorize(holder, { mcc: '4829' })).body.authorizationId;
    expect(await findOwnNotification(h.deps, holder.customer.id, ntf(purchase))).toMatchObject({ kind: 'purchase_approved', card_id: holder.card.id });
    expect(await findOwnNotification(h.deps, holder.customer.id, ntf(attempt))).toMatchObject({ kind: 'blocked_attempt', severity: 'alert' });
    expect(await findOwnNotification(h.deps, holder.customer.id, ntf(quiet))).toBeUndefined();
    expect(await findOwnNotification(h.deps, other.customer.id, ntf(attempt))).toBeUndefined();
  });

  it('ignore stored purchase and blocked-attempt rows (written before migrations 5 and 7) and refuse a cursor of another kind of id', async () => {
    const holder = await h.cardholder();
    const auth = await h.authorize(holder, { amount: 800 });
    const atm = await h.authorize(holder, { mcc: '6011', processingCode: '010000' });
    const stored = { customer_id: holder.customer.id, account_id: holder.card.accountId, card_id: holder.card.id, created_at: h.clock.now(), read_at: null };
    await h.deps.handle.db.insertInto('notifications').values([
      { ...stored, id: 'ntf_0zzzzzzzzold', kind: 'purchase_approved', severity: 'info', message: 'Purchase of KD 0.800 at Shop approved.',
        data: JSON.stringify({ authorizationId: auth.body.authorizationId }) },
      { ...stored, id: 'ntf_0zzzzzzzzol2', kind: 'blocked_attempt', severity: 'alert', message: 'Security alert',
        data: JSON.stringify({ authorizationId: atm.body.authorizationId }) },
    ]).execute();
    const listed = (await bankingChecked(h, holder.token, 'GET', '/v1/banking/notifications?limit=100')).body.data;
    expect(listed.filter((n: { kind: string }) => n.kind === 'purchase_approved').map((n: { id: string }) => n.id))
      .toEqual([`ntf_${auth.body.authorizationId.slice('auth_'.length)}`]);
    expect(listed.filter((n: { kind: string }) => n.kind === 'blocked_attempt').map((n: { id: string }) => n.id))
      .toEqual([`ntf_${atm.body.authorizationId.slice('auth_'.length)}`]);

    const foreign = Buffer.from(`${h.clock.now()}.card_0abc`, 'utf8').toString('base64url');
    const refused = await h.banking(holder.token, 'GET', `/v1/banking/notifications?cursor=${foreign}`);
    expect(refused.status).toBe(400);
  });

  it('merge with stored ones in one order, whatever the page size (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom('approve', 'atm', 'tick'), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 4 }),
      async (steps, pageSize) => {
        const holder = await h.cardholder();
        // Many in one millisecond (the clock only moves on 'tick'): ties broken by id.
        for (const step of steps) {
          if (step === 'approve') await h.authorize(holder, { amount: 100 });
          else if (step === 'atm') await h.authorize(holder, { mcc: '6011', processingCode: '010000' });
          else h.clock.advance(1);
        }
        const all = (await bankingChecked(h, holder.token, 'GET', '/v1/banking/notifications?limit=100')).body.data as { id: string; kind: string }[];
        const ids = all.map((n) => n.id);
        expect(ids.every((id) => id.startsWith('ntf_'))).toBe(true);
        expect([...ids].sort().reverse()).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        expect(all.filter((n) => n.kind === 'purchase_approved')).toHaveLength(steps.filter((s) => s === 'approve').length);
        expect(all.filter((n) => n.kind === 'blocked_attempt')).toHaveLength(steps.filter((s) => s === 'atm').length);
        const paged = await allPagesChecked<{ id: string }>(h, holder.token, '/v1/banking/notifications', pageSize);
        expect(paged.map((n) => n.id)).toEqual(ids);
      }), { numRuns: 12 });
  });
});

describe('stream (server-sent events over HTTP)', () => {
  it('pushes the notification an authorization causes, to its owner only', async () => {
    const holder = await h.cardholder();
    const other = await h.cardholder();
    const mine = await openStream(holder.token);
    const otherAbort = new AbortController();
    const theirs = await openStream(other.token, { signal: otherAbort.signal });
    const otherEvents = readEvents(theirs, () => false);

    const auth = await h.authorize(holder, { amount: 2_500, merchantName: 'Stream Shop' });
    const events = notificationEvents(await readEvents(mine, (e) => notificationEvents(e).length > 0));
    const body = JSON.parse(events[0].data!);
    expectMatchesSchema({ body }, NotificationSchema);
    expect(body).toMatchObject({ kind: 'purchase_approved', cardId: holder.card.id });
    expect(body.data.authorizationId).toBe(auth.body.authorizationId);
    expect(events[0].id).toBe(body.id);

    // The other customer's stream got nothing by the time ours did: close it and look.
    otherAbort.abort();
    expect(notificationEvents(await otherEvents)).toEqual([]);
  });

  it('replays what came after Last-Event-ID (or ?since=), then continues', async () => {
    const holder = await h.cardholder();
    await h.authorize(holder, { mcc: '6011', processingCode: '010000', merchantName: 'First' }); // a blocked attempt: an anchor too
    const first = (await h.banking(holder.token, 'GET', '/v1/banking/notifications?limit=1')).body.data[0];
    expect(first.kind).toBe('blocked_attempt');
    await h.authorize(holder, { amount: 200, merchantName: 'Second' });
    await h.authorize(holder, { amount: 300, merchantName: 'Third' });
    const resumed = await openStream(holder.token, { headers: { 'last-event-id': first.id } });
    const replayed = notificationEvents(await readEvents(resumed, (e) => notificationEvents(e).length >= 2));
    expect(replayed.map((e) => JSON.parse(e.data!).data.merchantName)).toEqual(['Second', 'Third']);

    const since = await openStream(holder.token, { query: `?since=${first.id}` });
    const sinceEvents = readEvents(since, (e) => notificationEvents(e).length >= 3);
    await h.authorize(holder, { amount: 400, merchantName: 'Fourth' });
    const all = notificationEvents(await sinceEvents);
    expect(all.map((e) => JSON.parse(e.data!).data.merchantName)).toEqual(['Second', 'Third', 'Fourth']);
  });

  it('ends when its session is revoked or logged out', async () => {
    const customer = await h.createCustomer();
    const streamToken = await h.login(customer.username, customer.password);
    const otherToken = await h.login(customer.username, customer.password);
    const stream = await openStream(streamToken);
    const ended = readEvents(stream, () => false);
    const sessions = await h.banking(otherToken, 'GET', '/v1/banking/sessions');
    const streamSession = sessions.body.data.find((s: { current: boolean }) => !s.current).id;
    expect((await h.banking(otherToken, 'DELETE', `/v1/banking/sessions/${streamSession}`)).status).toBe(204);
    expect(notificationEvents(await ended)).toEqual([]); // resolved: the server closed the stream

    const second = await openStream(otherToken);
    const secondEnded = readEvents(second, () => false);
    expect((await h.banking(otherToken, 'DELETE', '/v1/banking/sessions/current')).status).toBe(204);
    await secondEnded;
  });

  it('needs a session', async () => {
    const res = await fetch(`${baseUrl}/v1/banking/notifications/stream`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
});
