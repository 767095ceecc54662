// SPEC §2: never log a PAN or CVV2. The harness logs at debug into h.logLines; every flow below
// carries PANs and CVV2s (approvals, declines, bad input, signature failures, PANs in the URL,
// reveal), and afterwards no captured line may contain one.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);
  const used: Array<{ pan: string; cvv2: string }> = [];

  describe('captured logs', () => {
    it('hold no PAN and no CVV2 after every kind of request that carries them', async () => {
      const a = await h.cardholder(100_000);
      const b = await h.cardholder(200_000);
      used.push(a, b);
      const PATH = '/v1/network/authorizations';

      for (const holder of [a, b]) {
        expect((await h.authorize(holder, { amount: 1_000 })).body.responseCode).toBe('00');
        expect((await h.authorize(holder, { mcc: '6011', processingCode: '010000' })).body.responseCode).toBe('57');
        const wrongCvv = String((Number(holder.cvv2) + 1) % 1000).padStart(3, '0');
        expect((await h.authorize(holder, { cvv2: wrongCvv })).body.responseCode).toBe('N7');
        expect((await h.authorize(holder, { expiry: '2001' })).body.responseCode).toBe('54');
        expect((await h.authorize(holder, { amount: 900_000 })).body.responseCode).toBe('51');
        expect((await h.authorize(holder, { amount: 'ten' })).status).toBe(400);
        expect((await h.authorize(holder, { cvv2: `${holder.cvv2}x` })).status).toBe(400);
        // The PAN where it does not belong: in another field, in the path, in the query string.
        expect((await h.authorize(holder, { merchantId: holder.pan.slice(0, 4), stan: holder.pan })).status).toBe(400);
        expect((await h.network(`${PATH}/${holder.pan}`, h.purchase(holder))).status).toBeGreaterThanOrEqual(400);
        expect((await h.request('GET', `/v1/network/authorizations?pan=${holder.pan}&cvv2=${holder.cvv2}`)).status).toBe(401);
        expect((await h.request('GET', `/v1/banking/cards/${holder.pan}`, { headers: { authorization: `Bearer ${holder.token}` } })).status).toBe(404);
        const body = JSON.stringify(h.purchase(holder));
        expect((await h.request('POST', PATH, { raw: body, headers: { ...h.signedHeaders('POST', PATH, body), 'x-signature': 'f'.repeat(64) } })).status).toBe(401);
        expect((await h.request('POST', PATH, { raw: `{"pan":"${holder.pan}","cvv2":"${holder.cvv2}"`, headers: h.signedHeaders('POST', PATH, `{"pan":"${holder.pan}","cvv2":"${holder.cvv2}"`) })).status).toBe(400);
        const reveal = await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: await h.otp(holder.totpSecret) });
        expect(reveal.body.pan).toBe(holder.pan);
      }

      const logs = h.logLines.join('\n');
      expect(h.logLines.length).toBeGreaterThan(30);   // the harness really captured the requests
      for (const { pan, cvv2 } of used) {
        expect(logs).not.toContain(pan);
        expect(logs).not.toContain(pan.slice(4, 14));   // not even a part spanning the hidden middle
        // A leaked CVV2 is a string value or a query parameter; bare numbers (ms, seq…) may be 3 digits by chance.
        expect(logs).not.toMatch(new RegExp(`"${cvv2}"|=${cvv2}(?:[&\\s"]|$)`));
      }
      expect(logs).not.toMatch(/"cvv2?"\s*:\s*"\d/i);
    });
  });
});
