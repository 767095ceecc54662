// Demo mode (SPEC §6 "Web pages", §8): on only in development; outside it every /demo/* path is 404
// and nobody is seeded. In demo mode the pages sign with a network client of their own, bound to the
// demo acquirer id, are rate-limited per address, and the terminal simulator is no card-number
// oracle: a visitor who does not own the card sees the same answer for an issued and an unknown PAN.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_ACQUIRER_ID, DEMO_NETWORK_KEY_ID } from '../../src/demo.js';
import { luhnCheckDigit } from '../../src/domain/pan.js';
import { childSecrets, startChildServer } from '../support/child-server.js';
import { forEachBackend } from '../support/backends.js';
import { type Harness, NETWORK_KEY_ID } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { webSession } from '../support/web.js';

const DEMO_PATHS = ['/demo', '/demo/', '/demo/shop', '/demo/shop/checkout?item=book', '/demo/terminals', '/demo/anything'];

describe('demo mode is on only in development (SPEC §8)', () => {
  it.each([
    [{}, true],
    [{ NODE_ENV: 'development' }, true],
    [{ NODE_ENV: 'development', DEMO: '1' }, true],
    [{ NODE_ENV: 'development', DEMO: '0' }, false],
    [{ DEMO: '0' }, false],
    [{ NODE_ENV: 'production', DEMO: '1' }, false],
    [{ NODE_ENV: 'staging', DEMO: '1' }, false],
    [{ NODE_ENV: 'test', DEMO: '1' }, false],
    [{ NODE_ENV: 'ci', DEMO: 'yes' }, false],
  ])('%j → demo %s', (env, demo) => {
    expect(loadConfig(env as NodeJS.ProcessEnv).demo).toBe(demo);
  });
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const anonymousPost = (h: Harness, path: string, fields: Record<string, string>) => h.request('POST', path, {
  raw: form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
});

/** A 16-digit number with a valid check digit under the card BIN that no card has. */
function unknownPan(): string {
  const body = `465781${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  return body + luhnCheckDigit(body);
}

/** The ATM's screen as the page shows it (its status element, attributes included). */
const atmScreen = (html: string) => /<div[^>]*id="atm-screen"[^>]*>.*?<\/div>/s.exec(html)?.[0];

forEachBackend((backend) => {
  describe('outside demo mode (the tests run with NODE_ENV=test)', () => {
    const h = useHarness(backend, { env: { DEMO: '1' } });

    it('every /demo/* path is 404, GET or POST', async () => {
      expect(h.deps.config.demo).toBe(false);
      for (const path of DEMO_PATHS) {
        expect({ path, status: (await h.request('GET', path)).status }).toEqual({ path, status: 404 });
      }
      const post = await anonymousPost(h, '/demo/terminals', { terminal: 'atm', pan: '4657810000000018', expiry: '12/29', amount: '20' });
      expect(post.status).toBe(404);
      expect(await h.countRows('authorizations')).toEqual([0]);
    });

    it('has no demo network client able to sign', async () => {
      const row = await h.deps.handle.db.selectFrom('network_clients').select('active').where('key_id', '=', DEMO_NETWORK_KEY_ID).executeTakeFirst();
      expect(row?.active ?? 0).toBe(0);
    });
  });

  describe('in demo mode', () => {
    const h = useHarness(backend, { demo: true, env: { RATE_LIMIT_SENSITIVE_PER_MIN: '8' } });

    it('the pages sign with a client of their own, bound to the demo acquirer id only', async () => {
      expect(h.deps.demoNetwork?.keyId).toBe(DEMO_NETWORK_KEY_ID);
      expect(h.deps.demoNetwork?.keyId).not.toBe(NETWORK_KEY_ID);
      const bindings = await h.deps.handle.db.selectFrom('network_client_acquirers').select('acquirer_id')
        .where('key_id', '=', DEMO_NETWORK_KEY_ID).execute();
      expect(bindings).toEqual([{ acquirer_id: DEMO_ACQUIRER_ID }]);
      const holder = await h.cardholder();
      const page = await anonymousPost(h, '/demo/terminals', { terminal: 'atm', pan: holder.pan, expiry: `${holder.expiry.slice(2)}/${holder.expiry.slice(0, 2)}`, amount: '20' });
      expect(page.status).toBe(200);
      const rows = await h.deps.handle.db.selectFrom('authorizations').select(['network_client', 'acquirer_id']).execute();
      expect(rows).toEqual([{ network_client: DEMO_NETWORK_KEY_ID, acquirer_id: DEMO_ACQUIRER_ID }]);
      // The demo client cannot speak for a real acquirer.
      const secret = h.deps.demoNetwork!.secret;
      const refused = await h.network('/v1/network/authorizations', h.purchase(holder, { acquirerId: '412345' }), { keyId: DEMO_NETWORK_KEY_ID, secret });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('acquirer_not_permitted');
    });

    it('a terminal answers a visitor the same for an issued and an unknown card number', async () => {
      h.clock.advance(60_000); // a fresh rate-limit window
      const holder = await h.cardholder();
      const expiry = `${holder.expiry.slice(2)}/${holder.expiry.slice(0, 2)}`;
      const stranger = await h.cardholder();
      const strangerSession = webSession(h, stranger.token);
      for (const visit of [
        (pan: string) => anonymousPost(h, '/demo/terminals', { terminal: 'atm', pan, expiry, amount: '20' }),
        (pan: string) => strangerSession.post('/demo/terminals', { terminal: 'atm', card: 'typed', pan, expiry, amount: '20' }),
      ]) {
        const issued = await visit(holder.pan);
        const unknown = await visit(unknownPan());
        expect(issued.status).toBe(200);
        expect(unknown.status).toBe(200);
        expect(atmScreen(issued.text)).toBeDefined();
        expect(atmScreen(issued.text)).toBe(atmScreen(unknown.text));
        expect(atmScreen(issued.text)).not.toMatch(/channel_atm_or_cash|invalid_card|\(57\)|\(14\)/);
      }
      // The card's owner, signed in, sees why.
      h.clock.advance(60_000);
      const own = await webSession(h, holder.token).post('/demo/terminals', { terminal: 'atm', card: 'typed', pan: holder.pan, expiry, amount: '20' });
      expect(atmScreen(own.text)).toContain('data-reason="channel_atm_or_cash"');
    });

    it('the demo pages are rate-limited per client address', async () => {
      h.clock.advance(60_000);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push((await anonymousPost(h, '/demo/terminals', { terminal: 'atm', pan: unknownPan(), expiry: '12/29', amount: '20' })).status);
      }
      expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
      expect(statuses.slice(8)).toEqual([429, 429]);
    });
  });
});

describe('a production server started with DEMO=1', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'isc-demo-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 404 on every /demo/* path and seeds no demo customer', async () => {
    const file = join(dir, 'cards.db');
    const server = await startChildServer(`sqlite:${file}`, childSecrets(), { DEMO: '1' });
    try {
      for (const path of DEMO_PATHS) {
        expect({ path, status: (await fetch(server.url + path)).status }).toEqual({ path, status: 404 });
      }
      expect(server.output()).not.toContain('Demo login');
    } finally {
      server.proc.kill('SIGTERM');
      await server.exit;
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('select count(*) as n from customers').get()).toEqual({ n: 0 });
      expect(db.prepare("select count(*) as n from network_clients where key_id = ? and active = 1").get(DEMO_NETWORK_KEY_ID)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 60_000);
});
