// Arabic-Indic digits are accepted in codes and amounts by the banking API and the pages alike,
// and the server's idle expiry follows SESSION_IDLE_TIMEOUT_MS; on both database backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { approvedPurchase, clear, recordFor } from '../support/money.js';
import { webSession } from '../support/web.js';

const arabic = (code: string) => code.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const persian = (code: string) => code.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

forEachBackend((backend) => {
  describe(`Arabic-Indic digits and the idle timeout (${backend})`, () => {
    let h: Harness;
    beforeAll(async () => { h = await Harness.create({ backend, env: { SESSION_IDLE_TIMEOUT_MS: '300000' } }); });
    afterAll(() => h?.close());

    it('the API takes a code in Arabic-Indic digits, and says how many tries are left after a wrong one', async () => {
      const holder = await h.cardholder();
      const wrong = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: arabic('000000') });
      expect(wrong.status).toBe(403);
      expect(wrong.body.remainingTries).toBe(4);
      const ok = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: arabic(await h.otp(holder.totpSecret)) });
      expect(ok.status).toBe(200);
      expect(ok.body.pan).toBe(holder.pan);
      const bad = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: '١٢٣٤٥' });
      expect(bad.status).toBe(400);
    });

    it('the pages take codes and amounts in either Arabic-Indic digit set', async () => {
      const holder = await h.cardholder();
      const web = webSession(h, holder.token);
      const revealed = await web.post(`/cards/${holder.card.id}/reveal`, { otp: persian(await h.otp(holder.totpSecret)) });
      expect(revealed.status).toBe(200);
      expect(revealed.text).toContain(`data-pan="${holder.pan}"`);
      const { authCode, request } = await approvedPurchase(h, holder, { amount: 10_000 });
      await clear(h, [recordFor(request, authCode)]);
      const paid = await web.post('/pay', { amount: '٢٫٥٠٠', from: holder.customer.currentAccountId });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe('/pay?paid=2500');
    });

    it('a session ends after SESSION_IDLE_TIMEOUT_MS without a request, and the pages send the customer back after signing in', async () => {
      const holder = await h.cardholder();
      const web = webSession(h, holder.token);
      expect((await web.get('/transactions')).status).toBe(200);
      h.clock.advance(299_000);
      expect((await web.get('/transactions')).status).toBe(200); // slid
      h.clock.advance(301_000);
      const gone = await web.get('/transactions?card=x');
      expect(gone.status).toBe(303);
      expect(gone.headers.get('location')).toBe('/login?expired=1&next=%2Ftransactions%3Fcard%3Dx');
      const api = await h.banking(holder.token, 'GET', '/v1/banking/cards');
      expect(api.status).toBe(401);
    });

    it('an unknown page is an HTML 404 for a browser, a problem for an API client', async () => {
      const page = await h.request('GET', '/nowhere?lang=ar', { headers: { accept: 'text/html' } });
      expect(page.status).toBe(404);
      expect(page.text).toContain('lang="ar"');
      expect(page.text).toContain('الصفحة غير موجودة');
      const api = await h.request('GET', '/v1/nowhere', { headers: { accept: 'text/html' } });
      expect(api.body.code).toBe('not_found');
    });
  });
});
