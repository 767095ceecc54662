// The command-line tools against a server started here: `npm run simulate` prints the decision of
// every scenario, and `npm run sign` prints a curl command that the server accepts.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS, simulate } from '../../scripts/simulate.js';
import { curlCommand, freshen } from '../../scripts/sign.js';
import { forEachBackend } from '../support/backends.js';
import { ADMIN_KEY, NETWORK_KEY_ID, NETWORK_SECRET } from '../support/harness.js';
import { serverCardholder, startTestServer, webPurchase, type TestServer } from '../support/server.js';

const run = promisify(execFile);

forEachBackend((backend) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(backend); });
  afterAll(() => server.close());
  const config = () => ({ url: server.url, keyId: NETWORK_KEY_ID, secret: NETWORK_SECRET, adminKey: ADMIN_KEY });

  describe('npm run simulate', () => {
    it('creates a customer and card, and prints the decision of every scenario', async () => {
      let out = '';
      const rows = await simulate(config(), (t) => { out += t; });
      const decisions = rows.map((r) => [r.scenario, r.responseCode, r.reason, r.overLimit]);
      expect(decisions).toEqual([
        ['Web purchase (e-commerce, CVV2)', '00', 'approved', false],
        ['Card check when storing the card (verification)', '85', 'verified', false],
        ['Card on file (no CVV2), names the check', '00', 'approved', false],
        ['Card on file (no CVV2), nothing stored', 'N7', 'cvv2_required', false],
        ['ATM withdrawal', '57', 'channel_atm_or_cash', false],
        ['Chip purchase at a shop (PIN)', '57', 'channel_card_present', false],
        ['Contactless purchase (tap)', '57', 'channel_card_present', false],
        ['Phone as terminal (softpos tap)', '57', 'channel_card_present', false],
        ['Mail-order purchase', '57', 'channel_not_ecommerce', false],
        ['Web purchase', '00', 'approved', false],
        ['Web purchase past the limit (the one exceed)', '00', 'approved_over_limit', true],
        ['Web purchase past the limit again', '51', 'over_limit', false],
        ['Refund announced by the merchant', '00', 'refund_approved', false],
      ]);
      expect(rows).toHaveLength(SCENARIOS.length);
      for (const r of rows) expect(r.authCode).toMatch(r.approved ? /^[0-9A-Z]{6}$/ : /^$/);
      // The card on file names the verification's authorization.
      const verification = await server.deps.handle.db.selectFrom('authorizations').select(['id', 'status'])
        .where('rule_id', '=', 'verified').where('merchant_id', '=', 'SIM-STREAMBOX').execute();
      expect(verification.map((v) => v.status)).toContain('verified');

      // The table: a header, then one line per scenario with its code, reason and decision.
      const lines = out.split('\n');
      expect(lines.some((l) => /^#\s+scenario\s+amount\s+code\s+reason\s+decision/.test(l))).toBe(true);
      expect(out).toMatch(/ATM withdrawal\s+KD 20\.000\s+57\s+channel_atm_or_cash\s+declined/);
      expect(out).toMatch(/past the limit \(the one exceed\)\s+KD 15\.000\s+00\s+approved_over_limit\s+APPROVED \(over limit\)/);
      expect(out).toMatch(/past the limit again\s+KD 1\.000\s+51\s+over_limit\s+declined/);
      expect(out).toMatch(/storing the card \(verification\)\s+KD 0\.000\s+85\s+verified\s+verified \(nothing charged\)/);
      expect(out).toMatch(/Refund announced by the merchant\s+KD 2\.000\s+00\s+refund_approved\s+REFUND APPROVED/);
      expect(out).toContain('outstanding KD 105.000, available KD 0.000, over-limit allowance used');
      expect(out).not.toContain('Different from');
      // Then the messages after authorization, each with the issuer's answer.
      expect(out).toContain('0120 advice, network approved KD 1.500: 00 acknowledged, needsReview true');
      expect(out).toContain('0420 reversal advice: 00, released KD 1.500');
      expect(out).toContain('split shipment of KD 3.000 (advice 00): part 1 of 2 posted, part 2 of 2 posted, part 2 again duplicate');
      expect(out).toContain('refund clearing of KD 2.000 naming "Web purchase (e-commerce, CVV2)": posted');
      expect(out).not.toMatch(/refund clearing[^\n]*needs review/);
      // The revealed PAN is used, never printed unless asked for.
      const pans = await server.deps.handle.db.selectFrom('cards').select('last4').execute();
      expect(pans.length).toBeGreaterThan(0);
      expect(out).not.toMatch(/\b\d{16}\b/);
    });

    it('--show-card prints the test card, and it is the card that was used', async () => {
      let out = '';
      await simulate(config(), (t) => { out += t; }, { showCard: true });
      const m = out.match(/pan (\d{16})\s+expiry (\d{4})\s+cvv2 (\d{3})/);
      expect(m).not.toBeNull();
      const cards = await server.deps.handle.db.selectFrom('cards').selectAll().execute();
      expect(cards.map((c) => c.pan_fingerprint)).toContain(server.deps.keyring.fingerprint(m![1]));
    });

    it('--card-only creates and prints a card and sends nothing', async () => {
      let out = '';
      const before = await server.deps.handle.db.selectFrom('authorizations').select('id').execute();
      expect(await simulate(config(), (t) => { out += t; }, { cardOnly: true })).toEqual([]);
      expect(out).toMatch(/pan \d{16}\s+expiry \d{4}\s+cvv2 \d{3}/);
      expect(await server.deps.handle.db.selectFrom('authorizations').select('id').execute()).toHaveLength(before.length);
    });

    it('fails with a clear message when the server is not there', async () => {
      await expect(simulate({ ...config(), url: 'http://127.0.0.1:9' }, () => {})).rejects.toThrow();
      await expect(simulate({ ...config(), adminKey: '' }, () => {})).rejects.toThrow(/admin key/);
    });
  });

  describe('npm run sign', () => {
    it('prints a curl command that the server accepts', async () => {
      const holder = await serverCardholder(server, 100_000);
      const rawBody = JSON.stringify(webPurchase(holder, 12_500));
      const command = curlCommand({ url: server.url, keyId: NETWORK_KEY_ID, secret: NETWORK_SECRET, path: '/v1/network/authorizations', rawBody });
      expect(command).toMatch(/^curl /);
      expect(command).toContain("-H 'x-key-id: net_test'");
      const { stdout } = await run('sh', ['-c', command]);
      expect(JSON.parse(stdout)).toMatchObject({ responseCode: '00', approved: true, billingAmount: 12_500, billingCurrency: '414' });
    });

    it('--fresh makes the same body a new transmission; without it, a retransmission', async () => {
      const holder = await serverCardholder(server, 100_000);
      const body = webPurchase(holder, 1_000);
      const send = async (b: unknown) => {
        const command = curlCommand({ ...config(), path: '/v1/network/authorizations', rawBody: JSON.stringify(b) });
        return JSON.parse((await run('sh', ['-c', command])).stdout);
      };
      const first = await send(body);
      expect((await send(body)).authorizationId).toBe(first.authorizationId);
      const fresh = freshen(body);
      expect(fresh).toMatchObject({ pan: body.pan, amount: body.amount });
      expect(fresh.stan).toMatch(/^\d{6}$/);
      expect(fresh.rrn).toMatch(/^\d{12}$/);
      const again = await send(fresh);
      expect(again.responseCode).toBe('00');
      expect(again.authorizationId).not.toBe(first.authorizationId);
    });

    // A child process: once is enough, the database does not matter to the command line.
    // Registered on one backend only (not skipped on the other: CI counts a skip as a failure).
    if (backend === 'sqlite') it('the CLI reads the body from a file and keys from the environment', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'isc-sign-'));
      const file = join(dir, 'auth.json');
      writeFileSync(file, JSON.stringify({ mti: '0100', pan: '4657810000000000' }, null, 2));
      const { stdout } = await run('npx', ['tsx', 'scripts/sign.ts', '/v1/network/authorizations', file], {
        env: { ...process.env, ISC_URL: server.url, NETWORK_KEY_ID, NETWORK_SECRET },
      });
      expect(stdout).toContain(`'${server.url}/v1/network/authorizations'`);
      expect(stdout).toContain(`--data-binary '{"mti":"0100","pan":"4657810000000000"}'`);
      // The body is incomplete, so the (correctly signed) request is a format error, not a 401.
      const { stdout: answer } = await run('sh', ['-c', stdout]);
      expect(JSON.parse(answer)).toMatchObject({ status: 400, responseCode: '30', reason: 'format_error' });
    });
  });
});
