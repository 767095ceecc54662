// Notifications in the reader's language: rendered at read time from kind + data through the
// dictionaries, for the web pages, the banking API (list and stream) alike; the stored English
// `message` stays what it was and is the fallback when the data falls short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Arabic texts isolate amounts and Latin names (domain/texts/isolate.ts).
import { kd as formatKdAr, named } from '../../src/domain/texts/isolate.js';
const formatKd = (fils: number, _lang: 'ar') => formatKdAr(fils, 'ar');
import type { NotificationReferences } from '../../src/domain/texts/notification-text.js';
import type { NotificationsTable } from '../../src/store/schema.js';
import { notificationText } from '../../src/domain/texts/notification-text.js';
import { forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { setThreeDsThreshold, startThreeDs } from '../support/three-ds.js';
import { webSession } from '../support/web.js';
import { notificationRows } from '../../src/store/notifications.repository.js';

/** Latin letters in a sentence that should be Arabic (merchant names and IPs are taken out first). */
const latinWords = (text: string, allowed: string[]) =>
  allowed.reduce((t, a) => t.split(a).join(''), text).match(/[A-Za-z]{2,}/g) ?? [];

forEachBackend((backend) => {
  let h: Harness;
  beforeAll(async () => { h = await Harness.create({ backend }); await setThreeDsThreshold(h, 50_000); });
  afterAll(() => h.close());

  /** A cardholder whose notifications cover every kind the services write in one story. */
  async function story() {
    const holder = await h.cardholder(100_000);
    await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/over-limit`, { enabled: false });
    await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/over-limit`, { enabled: true, otp: await h.otp(holder.totpSecret) });
    await h.authorize(holder, { amount: 12_500, merchantName: 'Gulf Books Online' });
    await h.authorize(holder, { mcc: '6011', processingCode: '010000', merchantName: 'KFH ATM Salmiya' });
    await h.authorize(holder, { amount: 49_000, merchantName: 'Gadget Hub' });
    await h.authorize(holder, { amount: 45_000, merchantName: 'Big Screen Store' }); // the one exceed
    await startThreeDs(h, holder, { amount: 60_000, merchantName: 'Gadget Hub' });
    await h.banking(holder.token, 'PUT', `/v1/banking/cards/${holder.card.id}/limit`, { limit: 200_000, otp: await h.otp(holder.totpSecret) });
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: await h.otp(holder.totpSecret) });
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/freeze`);
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/unfreeze`);
    // The card-testing guard: five wrong security codes in a row freeze the card.
    const wrong = holder.cvv2 === '111' ? '222' : '111';
    for (let i = 0; i < 5; i++) await h.authorize(holder, { cvv2: wrong });
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/unfreeze`);
    await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/report`, { reason: 'stolen' });
    const replaced = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/replace`, { otp: await h.otp(holder.totpSecret) });
    expect(replaced.status).toBe(201);
    await h.admin('POST', `/v1/admin/cards/${replaced.body.id}/block`, { reason: 'fraud review' });
    return holder;
  }

  const list = async (token: string, query = '', headers: Record<string, string> = {}) => {
    const res = await h.banking(token, 'GET', `/v1/banking/notifications?limit=100${query}`, undefined, headers);
    expect(res.status).toBe(200);
    return res.body.data as { id: string; kind: string; message: string; data: Record<string, unknown> }[];
  };

  it('every kind the services write renders in English exactly as stored, and in Arabic without English', async () => {
    const holder = await story();
    // Stored rows, and the purchase notifications read from the authorizations, as the services keep them.
    const stored = await notificationRows(h.deps.handle.db, holder.customer.id, { order: 'newest', before: null, limit: 1_000 });
    const english = await list(holder.token, '&lang=en');
    const arabic = await list(holder.token, '&lang=ar');
    const kinds = new Set(english.map((n) => n.kind));
    for (const kind of ['new_login', 'card_issued', 'purchase_approved', 'blocked_attempt', 'over_limit_used', 'three_ds_challenge',
      'limit_changed', 'over_limit_switched', 'card_revealed', 'card_status_changed', 'card_frozen']) {
      expect(kinds, kind).toContain(kind);
    }
    const allowed = ['Gulf Books Online', 'KFH ATM Salmiya', 'Big Screen Store', 'Gadget Hub', '127.0.0.1', 'unknown'];
    for (const n of english) {
      expect(n.message, n.kind).toBe(stored.find((s) => s.id === n.id)!.message);
      const ar = arabic.find((a) => a.id === n.id)!;
      expect(ar.message, n.kind).not.toBe(n.message);
      expect(latinWords(ar.message, allowed), `${n.kind}: ${ar.message}`).toEqual([]);
    }
    const approved = arabic.filter((n) => n.kind === 'purchase_approved').at(-1)!; // newest first
    expect(approved.message).toBe(`تمت الموافقة على شراء بمبلغ ${formatKd(12_500, 'ar')} لدى ${named('Gulf Books Online', 'ar')}.`);
    expect(arabic.find((n) => n.kind === 'over_limit_used')!.message).toContain(formatKd(45_000, 'ar'));
    expect(arabic.find((n) => n.kind === 'blocked_attempt')!.message).toContain('السحب النقدي');
    expect(arabic.find((n) => n.kind === 'card_frozen')!.message).toContain(holder.card.last4);
  });

  it('the API picks ?lang, then Accept-Language, then the customer\'s stored language; the shape stays', async () => {
    const holder = await h.cardholder();
    await h.authorize(holder, { amount: 2_000, merchantName: 'Gulf Books Online' });
    const first = (rows: { kind: string; message: string }[]) => rows.find((n) => n.kind === 'purchase_approved')!;
    expect(first(await list(holder.token)).message).toBe('Purchase of KD 2.000 at Gulf Books Online approved.');
    expect(first(await list(holder.token, '', { 'accept-language': 'ar-KW,ar;q=0.9,en;q=0.5' })).message).toContain('2.000\u00a0د.ك');
    await h.deps.handle.db.updateTable('customers').set({ language: 'ar' }).where('id', '=', holder.customer.id).execute();
    const stored = first(await list(holder.token));
    expect(stored.message).toContain('تمت الموافقة');
    expect(Object.keys(stored).sort()).toEqual(['cardId', 'createdAt', 'data', 'id', 'kind', 'message', 'read', 'severity']);
    expect(first(await list(holder.token, '&lang=en', { 'accept-language': 'ar' })).message).toMatch(/^Purchase of/);
    expect((await h.banking(holder.token, 'GET', '/v1/banking/notifications?lang=fr')).status).toBe(400);
  });

  it('the web pages show notifications in the page language', async () => {
    const holder = await h.cardholder();
    await h.authorize(holder, { amount: 3_250, merchantName: 'Gulf Books Online' });
    await h.authorize(holder, { mcc: '6011', processingCode: '010000', merchantName: 'KFH ATM' });
    const web = webSession(h, holder.token);
    const ar = await web.get('/notifications?lang=ar');
    expect(ar.text).toContain(`تمت الموافقة على شراء بمبلغ ${formatKd(3_250, 'ar')} لدى ${named('Gulf Books Online', 'ar')}.`);
    expect(ar.text).toContain('تنبيه أمني');
    expect(ar.text).not.toContain('Purchase of');
    expect(ar.text).toContain('data-stream="/v1/banking/notifications/stream?lang=ar"');
    const dashboard = await web.get('/?lang=ar');
    expect(dashboard.text).toContain('تنبيه أمني');
    expect(dashboard.text).not.toContain('Security alert');
    const en = await web.get('/notifications?lang=en');
    expect(en.text).toContain('Purchase of KD 3.250 at Gulf Books Online approved.');
  });

  it('the event stream writes the language it was opened with', async () => {
    const holder = await h.cardholder();
    const res = await h.app.request('/v1/banking/notifications/stream?lang=ar', { headers: { authorization: `Bearer ${holder.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!buffer.includes(': connected')) buffer += decoder.decode((await reader.read()).value, { stream: true });
    await h.authorize(holder, { amount: 4_000, merchantName: 'Stream Shop' });
    while (!/\ndata: [^\n]+\n/.test(buffer)) buffer += decoder.decode((await reader.read()).value, { stream: true });
    await reader.cancel();
    const data = JSON.parse(/data: ([^\n]+)\n/.exec(buffer)![1]);
    expect(data.message).toBe(`تمت الموافقة على شراء بمبلغ ${formatKd(4_000, 'ar')} لدى ${named('Stream Shop', 'ar')}.`);
  });
});

describe('fallback to the stored message', () => {
  const refs: NotificationReferences = { last4: new Map([['card_1', '4242']]), authorizations: new Map() };
  const row = (kind: string, data: Record<string, unknown>, cardId: string | null = 'card_1') => ({
    id: 'ntf_1', customer_id: 'cus_1', account_id: null, card_id: cardId, kind, severity: 'info', message: 'Stored English.',
    data: JSON.stringify(data), created_at: 0, read_at: null,
  }) as NotificationsTable & { severity: 'info' };

  it.each([
    ['purchase_approved', { authorizationId: 'a' }, 'card_1'],
    ['over_limit_used', { authorizationId: 'unknown' }, 'card_1'],
    ['card_frozen', {}, null],
    ['card_status_changed', {}, 'card_1'],
    ['card_status_changed', { from: 'active', to: 'replaced', replacedBy: 'card_gone' }, 'card_1'],
    ['new_login', { sessionId: 's' }, null],
    ['three_ds_challenge', { merchantName: 'X', billingAmount: null }, 'card_1'],
    ['some_future_kind', { amount: 1 }, 'card_1'],
  ])('%s with %j keeps the stored English text', (kind, data, cardId) => {
    expect(notificationText(row(kind, data, cardId), refs, 'ar')).toBe('Stored English.');
  });

  it.each([
    ['payment_posted', { paymentId: 'p', amount: 12_500 }, `استلمنا دفعة بمبلغ ${formatKd(12_500, 'ar')}. شكرًا لك.`],
    ['refund_posted', { amount: 1_000, merchantName: 'Gulf Books Online' }, `أُضيف إلى بطاقتك استرداد بمبلغ ${formatKd(1_000, 'ar')} من ${named('Gulf Books Online', 'ar')}.`],
    ['new_login', { sessionId: 's', ip: null }, 'تسجيل دخول جديد إلى الخدمات المصرفية عبر الإنترنت.'],
    // The device, never the address (SPEC's customers read a place or a phone, not 127.0.0.1).
    ['new_login', { sessionId: 's', ip: '10.1.2.3', browser: 'Chrome', system: 'Android' },
      `تسجيل دخول جديد إلى الخدمات المصرفية عبر الإنترنت من ${named('Chrome', 'ar')} على ${named('Android', 'ar')}. لست أنت؟ جمّد بطاقتك واتصل بنا.`],
    ['card_status_changed', { from: 'active', to: 'blocked' }, 'أوقف البنك بطاقتك المنتهية بـ 4242. تواصل معنا إن لم تكن تتوقع ذلك.'],
  ])('%s renders in Arabic from its data', (kind, data, expected) => {
    expect(notificationText(row(kind, data), refs, 'ar')).toBe(expected);
  });
});
