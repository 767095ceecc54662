// SPEC §2 / issue point 4: one open card account per customer; PAN stored only encrypted (plus
// BIN, last 4 and a keyed fingerprint); CVV2 derived and never stored; expiry 3 years out; the
// masked PAN shows only BIN and last 4; reveal needs a code and is never cached.
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { decryptPan } from '../../src/service/banking/issue-card.js';
import { forEachBackend } from '../support/backends.js';
import { useHarness } from '../support/use-harness.js';

const luhn = createRequire(import.meta.url)('luhn') as typeof import('luhn');

forEachBackend((backend) => {
  const h = useHarness(backend);

  /** Every string value of every column of every table of this database. */
  async function everyStoredText(): Promise<Array<{ table: string; column: string; value: string }>> {
    const db = h.deps.handle.db;
    let tables = await db.introspection.getTables();
    if (backend === 'postgres') {
      const current = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0].s;
      tables = tables.filter((t) => t.schema === current);
    }
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['cards', 'authorizations', 'audit_log', 'notifications']));
    const out: Array<{ table: string; column: string; value: string }> = [];
    for (const t of tables) {
      const rows = await db.selectFrom(t.name as never).selectAll().execute() as Array<Record<string, unknown>>;
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) if (typeof value === 'string') out.push({ table: t.name, column, value });
      }
    }
    return out;
  }

  describe('issuing a card', () => {
    it('the card: 16-digit Luhn PAN on the BIN, masked view, expiry 3 years out, both channels closed', async () => {
      const holder = await h.cardholder(200_000);
      expect(holder.pan).toMatch(/^465781\d{10}$/);
      expect(luhn.validate(holder.pan)).toBe(true);
      expect(holder.card).toMatchObject({
        status: 'active', limit: 200_000, outstanding: 0, available: 200_000, currency: 'KWD', expiry: '2029-11',
        last4: holder.pan.slice(-4), maskedPan: `${holder.pan.slice(0, 6)}******${holder.pan.slice(-4)}`,
        overLimit: { enabled: true, used: false, margin: 40_000 },
        channels: { ecommerce: true, atm: false, cardPresent: false },
      });
      expect(holder.expiry).toBe('2911');
      const text = JSON.stringify(holder.card);
      expect(text).not.toContain(holder.pan);
      expect(text).not.toContain(holder.pan.slice(4, 14));
      const list = await h.banking(holder.token, 'GET', '/v1/banking/cards');
      expect(JSON.stringify(list.body)).not.toContain(holder.pan.slice(4, 14));
    });

    it('a second open card account for the same customer is 409', async () => {
      const holder = await h.cardholder(100_000);
      const again = await h.banking(holder.token, 'POST', '/v1/banking/cards', { limit: 200_000 });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(again.body.code).toBe('card_exists');
      const accounts = await h.deps.handle.db.selectFrom('card_accounts').select('id').where('customer_id', '=', holder.customer.id).execute();
      expect(accounts).toHaveLength(1);
    });

    it('two simultaneous requests still give one card account', async () => {
      const customer = await h.createCustomer();
      const token = await h.login(customer.username, customer.password);
      const answers = await Promise.all([1, 2, 3].map(() => h.banking(token, 'POST', '/v1/banking/cards', { limit: 100_000 })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
      const accounts = await h.deps.handle.db.selectFrom('card_accounts').select('id').where('customer_id', '=', customer.id).execute();
      expect(accounts).toHaveLength(1);
    });

    it('the PAN is stored only encrypted; the ciphertext opens with the keyring; no column holds a PAN or a CVV2', async () => {
      const holder = await h.cardholder(100_000);
      await h.authorize(holder, { amount: 1_000 });
      await h.authorize(holder, { amount: 1_000, mcc: '6011' });
      await h.banking(holder.token, 'POST', `/v1/banking/cards/${holder.card.id}/reveal`, { otp: await h.otp(holder.totpSecret) });

      const row = await h.deps.handle.db.selectFrom('cards').selectAll().where('id', '=', holder.card.id).executeTakeFirstOrThrow();
      expect(row.bin).toBe(holder.pan.slice(0, 6));
      expect(row.last4).toBe(holder.pan.slice(-4));
      expect(row.pan_ciphertext).not.toContain(holder.pan.slice(4, 14));
      expect(row.pan_fingerprint).toBe(h.deps.keyring.fingerprint(holder.pan));
      expect(h.deps.keyring.hasKey(row.pan_key_id)).toBe(true);
      expect(decryptPan(h.deps, row)).toBe(holder.pan);
      // The ciphertext is bound to its card: it does not open as another card's.
      expect(() => decryptPan(h.deps, { ...row, id: 'card_other' })).toThrow();

      const texts = await everyStoredText();
      expect(texts.length).toBeGreaterThan(50);
      // Ten digits that span the hidden middle: no chance match, yet any partial copy of the PAN shows.
      const middle = holder.pan.slice(4, 14);
      expect(texts.filter((t) => t.value.includes(holder.pan) || t.value.includes(middle))).toEqual([]);
      // Columns that legitimately hold 3-digit codes (currency "414", entry mode "812") aside,
      // no value is the CVV2, and no column or JSON field is named after it.
      const codeColumns = new Set(['currency', 'pos_entry_mode', 'response_code']);
      expect(texts.filter((t) => !codeColumns.has(t.column) && t.value === holder.cvv2)).toEqual([]);
      expect(texts.filter((t) => /cvv/i.test(t.column) || /"cvv2?"\s*:/i.test(t.value))).toEqual([]);
    });

    it('reveal needs a step-up code, answers with Cache-Control: no-store, and the CVV2 it shows authorizes', async () => {
      const holder = await h.cardholder(100_000);
      const path = `/v1/banking/cards/${holder.card.id}/reveal`;
      const none = await h.banking(holder.token, 'POST', path, {});
      expect(none.status).toBe(400);
      expect(none.body.errors).toEqual([expect.objectContaining({ path: 'otp' })]);
      const wrong = await h.banking(holder.token, 'POST', path, { otp: '000000' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('invalid_otp');
      expect(wrong.text).not.toContain(holder.pan);

      const otp = await h.otp(holder.totpSecret);
      const ok = await h.banking(holder.token, 'POST', path, { otp });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toBe('no-store');
      expect(ok.body).toEqual({ pan: holder.pan, expiry: holder.expiry, cvv2: holder.cvv2 });
      expect(ok.body.cvv2).toMatch(/^\d{3}$/);
      // A code is accepted once.
      const replay = await h.banking(holder.token, 'POST', path, { otp });
      expect(replay.status).toBe(403);
      expect((await h.authorize({ pan: ok.body.pan, expiry: ok.body.expiry, cvv2: ok.body.cvv2 }, { amount: 100 })).body.responseCode).toBe('00');
    });

    it('a customer without an enrolled authenticator cannot reveal', async () => {
      const customer = await h.createCustomer();
      const token = await h.login(customer.username, customer.password);
      const card = await h.banking(token, 'POST', '/v1/banking/cards', { limit: 100_000 });
      expect(card.status).toBe(201);
      const res = await h.banking(token, 'POST', `/v1/banking/cards/${card.body.id}/reveal`, { otp: '123456' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('totp_not_enrolled');
    });

    it('the CVV2 is derived: the same for the same PAN and expiry, different for another expiry', async () => {
      const holder = await h.cardholder(100_000);
      expect(h.deps.keyring.cvv2(holder.pan, holder.expiry)).toBe(holder.cvv2);
      const others = new Set(['2912', '3001', '3002', '3003'].map((e) => h.deps.keyring.cvv2(holder.pan, e)));
      expect(others.size).toBeGreaterThan(1);
    });
  });
});
