// A real app on a real database for tests: in-memory SQLite by default, PostgreSQL (one schema per
// harness) when the backend says so. Requests go through the hono app in-process, unchanged.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { generate } from 'otplib';
import { startServices } from '../../src/bootstrap.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Secrets } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/env.js';
import { signNetworkRequest } from '../../src/http/middleware/network-signature.js';
import { createLogger } from '../../src/logger.js';
import { decryptPan } from '../../src/service/banking/issue-card.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { backendUrl, createPgSchema, dropPgSchema, type Backend } from './backends.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const NETWORK_KEY_ID = 'net_test';
export const NETWORK_SECRET = 'test-network-secret-0123456789abcdef';

export interface HarnessOptions {
  backend?: Backend;
  env?: Record<string, string>;
  /**
   * Demo mode (the /demo pages): NODE_ENV=test keeps it off whatever DEMO says, so a test that
   * needs the pages sets the configuration value itself; no environment can.
   */
  demo?: boolean;
  /**
   * PostgreSQL only: start another instance of the service on this harness's database (its schema,
   * secrets and clock), as a second server process would; closing it leaves the schema to the first.
   */
  joining?: Harness;
}

export class Harness {
  readonly logLines: string[] = [];
  private stanCounter = 0;
  private constructor(
    readonly deps: AppDeps,
    readonly app: ReturnType<typeof createApp>,
    readonly clock: ManualClock,
    private readonly cleanup: () => Promise<void>,
    private readonly shared: { secrets: Secrets; pgSchema?: string },
  ) {}

  static async create(options: HarnessOptions = {}): Promise<Harness> {
    const backend = options.backend ?? 'sqlite';
    const joining = options.joining?.shared;
    const clock = options.joining?.clock ?? new ManualClock(Date.UTC(2026, 10, 23, 9, 0, 0));
    let handle: DbHandle;
    let cleanup: () => Promise<void>;
    let pgSchema: string | undefined;
    if (joining) {
      if (backend !== 'postgres' || !joining.pgSchema) throw new Error('joining: PostgreSQL only');
      pgSchema = joining.pgSchema;
      handle = openDatabase(backendUrl('postgres')!, { pgSchema, poolSize: 20 });
      cleanup = () => handle.close();
    } else if (backend === 'postgres') {
      const schema = await createPgSchema();
      pgSchema = schema;
      handle = openDatabase(backendUrl('postgres')!, { pgSchema: schema, poolSize: 20 });
      cleanup = async () => { await handle.close(); await dropPgSchema(schema); };
    } else {
      handle = openDatabase('sqlite::memory:');
      cleanup = () => handle.close();
    }
    // Passwords at the previous cost (N = 2^14): SPEC's 2^17 takes ~0.5 s a hash on an idle core
    // and every customer costs one; test/security/passwords.test.ts runs at SPEC's cost.
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', TEST_PASSWORD_SCRYPT_LOG2N: '14', ...options.env }), ...(options.demo ? { demo: true } : {}) };
    const secrets: Secrets = joining?.secrets ?? { adminApiKey: ADMIN_KEY, networkKeyId: NETWORK_KEY_ID, networkSecret: NETWORK_SECRET, masterKey: randomBytes(32) };
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const deps = await startServices({ config, secrets, logger: createLogger('debug', sink), clock, handle });
    const h = new Harness(deps, createApp(deps), clock, cleanup, { secrets, pgSchema });
    (h as { logLines: string[] }).logLines = lines;
    return h;
  }

  close(): Promise<void> { return this.cleanup(); }

  // ---- raw HTTP through the app ----
  async request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
    const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await this.app.request(path, {
      method,
      headers: { ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: raw,
    });
    const text = await res.text();
    let json: any = undefined;
    try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, body: json };
  }

  admin(method: string, path: string, body?: unknown, key = ADMIN_KEY) {
    return this.request(method, path, { body, headers: { authorization: `Bearer ${key}` } });
  }

  banking(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.request(method, path, { body, headers: { authorization: `Bearer ${token}`, ...headers } });
  }

  signedHeaders(method: string, path: string, raw: string, o: { keyId?: string; secret?: string; timestamp?: number } = {}) {
    const timestamp = String(o.timestamp ?? Math.floor(this.clock.now() / 1000));
    return {
      'x-key-id': o.keyId ?? NETWORK_KEY_ID,
      'x-timestamp': timestamp,
      'x-signature': signNetworkRequest(o.secret ?? NETWORK_SECRET, timestamp, method, path, raw),
    };
  }

  network(path: string, body: unknown, o: { keyId?: string; secret?: string; timestamp?: number; raw?: string } = {}) {
    const raw = o.raw ?? JSON.stringify(body);
    return this.request('POST', path, { raw, headers: { 'content-type': 'application/json', ...this.signedHeaders('POST', path, raw, o) } });
  }

  /** Row counts of the given tables, in order: to show a refused request stored nothing. */
  async countRows(...tables: Array<'authorizations' | 'ledger_transfers' | 'reversals' | 'reversal_advices' | 'notifications' | 'audit_log' | 'customers' | 'staff_keys'>): Promise<number[]> {
    const db = this.deps.handle.db;
    const counts: number[] = [];
    for (const table of tables) {
      counts.push(Number((await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
    }
    return counts;
  }

  // ---- domain helpers ----
  nextStan(): string { this.stanCounter += 1; return String(this.stanCounter).padStart(6, '0'); }

  async createCustomer(o: { username?: string; password?: string; balance?: number } = {}) {
    const username = o.username ?? `user${randomBytes(4).toString('hex')}`;
    const password = o.password ?? 'correct horse battery';
    const res = await this.admin('POST', '/v1/admin/customers', {
      username, password, name: 'Test Customer', currentAccountBalance: o.balance ?? 1_000_000,
    });
    if (res.status !== 201) throw new Error(`create customer: ${res.status} ${res.text}`);
    return { ...res.body as { id: string; currentAccountId: string }, username, password };
  }

  async login(username: string, password: string, otp?: string) {
    const res = await this.request('POST', '/v1/banking/sessions', { body: { username, password, ...(otp ? { otp } : {}) } });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
    return res.body.token as string;
  }

  /** A fresh code: moves the clock to the next 30-second step, since each code is accepted once. */
  async otp(secret: string): Promise<string> {
    this.clock.advance(30_000);
    return generate({ secret, epoch: Math.floor(this.clock.now() / 1000) });
  }

  async enrolTotp(token: string): Promise<string> {
    const start = await this.banking(token, 'POST', '/v1/banking/mfa/totp');
    if (start.status !== 200) throw new Error(`enrol: ${start.status} ${start.text}`);
    const confirm = await this.banking(token, 'POST', '/v1/banking/mfa/totp/confirm', { otp: await this.otp(start.body.secret) });
    if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${confirm.text}`);
    return start.body.secret;
  }

  /** Customer, session, TOTP and a card with the given limit. */
  async cardholder(limit = 100_000) {
    const customer = await this.createCustomer();
    const token = await this.login(customer.username, customer.password);
    const totpSecret = await this.enrolTotp(token);
    const res = await this.banking(token, 'POST', '/v1/banking/cards', { limit });
    if (res.status !== 201) throw new Error(`card: ${res.status} ${res.text}`);
    const card = res.body;
    const details = await this.cardDetails(card.id);
    return { customer, token, totpSecret, card, ...details };
  }

  /** PAN, expiry and CVV2 of a card, from the real keyring (what reveal returns). */
  async cardDetails(cardId: string) {
    const row = await this.deps.handle.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirstOrThrow();
    const pan = decryptPan(this.deps, row);
    return { pan, expiry: row.expiry, cvv2: this.deps.keyring.cvv2(pan, row.expiry) };
  }

  /** A valid e-commerce purchase (entry mode 81) for the card; override any field. */
  purchase(card: { pan: string; expiry: string; cvv2: string }, overrides: Record<string, unknown> = {}) {
    const stan = this.nextStan();
    return {
      mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000',
      amount: 10_000, currency: '414', transmissionTime: new Date(this.clock.now()).toISOString(), stan,
      rrn: `633${stan.padStart(9, '0')}`, mcc: '5732', posEntryMode: '812', posConditionCode: '59',
      acquirerId: '412345', merchantId: 'M-1001', merchantName: 'Gulf Books Online', merchantCountry: 'KW',
      ...overrides,
    };
  }

  authorize(card: { pan: string; expiry: string; cvv2: string }, overrides: Record<string, unknown> = {}) {
    return this.network('/v1/network/authorizations', this.purchase(card, overrides));
  }
}
