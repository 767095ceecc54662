// Fills a database with N cardholders (customer, current account, card account, card) and M past
// authorizations, fast, for the benchmark: the real keyring encrypts every PAN and computes its
// fingerprint and CVV2, exactly as issuance does; the rows go in with bulk inserts in big
// transactions (SQLite: synchronous OFF while seeding only, restored after).
//
//   npm run seed -- --db sqlite:./data/bench.db --cards 1000000 --history 5000000
//
// History is what a busy year leaves behind: authorizations (three in four approved and cleared,
// with the posted ledger transfer of their clearing; the rest declined) spread over the last 90
// days, with account balances kept equal to their ledger entries.
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { sql } from 'kysely';
import pino from 'pino';
import { startServices } from '../src/bootstrap.js';
import { loadConfig, type Secrets } from '../src/config.js';
import type { Keyring } from '../src/crypto/keyring.js';
import { DUMMY_PASSWORD_HASH } from '../src/crypto/password.js';
import { expiryFor, generatePan } from '../src/domain/pan.js';
import { DEFAULT_PRODUCT_CODE } from '../src/domain/product.js';
import { notifiesCardholder } from '../src/domain/rules.js';
import { BANK_OPENING_BALANCES, cardLedger, currentLedger, NETWORK_SETTLEMENT } from '../src/store/ledger.repository.js';
import type { DbHandle } from '../src/store/db.js';
import type { Database } from '../src/store/schema.js';

export interface SeedOptions {
  databaseUrl: string;
  cards: number;
  history: number;
  secrets: Secrets;
  /** How many cards' credentials to hand back for the load generator (spread over all cards). */
  sample?: number;
  sync?: 'FULL' | 'NORMAL';
  log?: (line: string) => void;
}

export interface SeededCard { pan: string; expiry: string; cvv2: string; limitFils: number }

export interface SeedResult { cards: SeededCard[]; seconds: number; rows: number }

const LIMITS = [100_000, 200_000];
const DAY_MS = 86_400_000;
const CURRENT_BALANCE_FILS = 10_000_000;

/** Fast unique time-ordered ids in the shape of src/ids.ts (prefix, 9 base-36 time chars, suffix). */
function idMaker(prefix: string) {
  const salt = randomBytes(3).toString('hex');
  let n = 0;
  return (ms: number) => `${prefix}_${ms.toString(36).padStart(9, '0')}${salt}${(n++).toString(36).padStart(6, '0')}`;
}

type Row = Record<string, unknown>;

/** Buffered bulk inserts: one prepared statement per table on SQLite, multi-row INSERTs on PostgreSQL. */
class BulkWriter {
  private buffers = new Map<string, Row[]>();
  private statements = new Map<string, { run(...a: unknown[]): unknown }>();
  rows = 0;
  constructor(private readonly handle: DbHandle) {}

  async add(table: keyof Database, row: Row): Promise<void> {
    this.rows++;
    if (this.handle.sqlite) {
      let st = this.statements.get(table);
      if (!st) {
        const cols = Object.keys(row);
        st = this.handle.sqlite.prepare(`insert into ${table} (${cols.join(',')}) values (${cols.map((c) => '@' + c).join(',')})`);
        this.statements.set(table, st);
      }
      st.run(row);
      if (this.rows % 200_000 === 0) { this.handle.sqlite.exec('commit'); this.handle.sqlite.exec('begin'); }
      return;
    }
    const buffer = this.buffers.get(table) ?? [];
    buffer.push(row);
    this.buffers.set(table, buffer);
    if (buffer.length >= 500) await this.flushTable(table);
  }

  private async flushTable(table: string): Promise<void> {
    const buffer = this.buffers.get(table);
    if (!buffer?.length) return;
    this.buffers.set(table, []);
    await this.handle.db.insertInto(table as keyof Database).values(buffer as never).execute();
  }

  async begin(): Promise<void> { if (this.handle.sqlite) this.handle.sqlite.exec('begin'); }

  /** Flushes in foreign-key order. */
  async end(): Promise<void> {
    if (this.handle.sqlite) { this.handle.sqlite.exec('commit'); return; }
    for (const t of ['customers', 'current_accounts', 'card_accounts', 'cards', 'authorizations', 'known_merchants', 'ledger_transfers']) await this.flushTable(t);
  }
}

export async function seedDatabase(o: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: o.databaseUrl, SQLITE_SYNCHRONOUS: o.sync ?? 'FULL', DEMO: '0' });
  const deps = await startServices({
    config, secrets: o.secrets, logger: pino({ level: 'warn' }), metrics: false, dbOptions: { backgroundCheckpoints: false },
  });
  const { handle, keyring } = deps;
  if (handle.sqlite) {
    // Seeding only: no journal, no fsync, a big cache; WAL and the configured sync come back after.
    handle.sqlite.pragma('journal_mode = OFF');
    handle.sqlite.pragma('synchronous = OFF');
    handle.sqlite.pragma('cache_size = -1000000');
  }
  const product = (await handle.db.selectFrom('products').select('bin').where('code', '=', DEFAULT_PRODUCT_CODE).executeTakeFirstOrThrow());
  const w = new BulkWriter(handle);
  const nowMs = Date.now();
  const sampleEvery = Math.max(1, Math.floor(o.cards / (o.sample ?? 20_000)));
  const cards: SeededCard[] = [];
  const accountIds: string[] = new Array(o.cards);
  const postedFils = new Float64Array(o.cards);
  const history = planHistory(o.cards, o.history, postedFils);

  await w.begin();
  const pans = new Set<string>();
  const ids = { cust: idMaker('cust'), cur: idMaker('cur'), acct: idMaker('acct'), card: idMaker('card'), opening: idMaker('tr') };
  const created = nowMs - 400 * DAY_MS;
  for (let i = 0; i < o.cards; i++) accountIds[i] = ids.acct(created);
  // History first: each account row is then written with the heads of its authorization chains.
  const heads = await writeHistory(w, history, accountIds, nowMs, log);
  for (let i = 0; i < o.cards; i++) {
    const customerId = ids.cust(created);
    const accountId = accountIds[i];
    const limitFils = LIMITS[i % 2];
    await w.add('customers', { id: customerId, username: `bench${i}`, password_hash: DUMMY_PASSWORD_HASH, name: `Bench Customer ${i}`, language: 'en', totp_secret: null, totp_pending: null, totp_last_step: 0, created_at: created });
    const currentId = ids.cur(created);
    await w.add('current_accounts', { id: currentId, customer_id: customerId, balance_fils: CURRENT_BALANCE_FILS, currency: 'KWD', created_at: created });
    // As customer creation does: the opening balance is a ledger entry, so `ledger:check` balances.
    await w.add('ledger_transfers', {
      id: ids.opening(created), account_id: null, kind: 'posted', pending_id: null, debit_account: BANK_OPENING_BALANCES,
      credit_account: currentLedger(currentId), amount_fils: CURRENT_BALANCE_FILS, reference: `opening:${currentId}`, created_at: created,
    });
    await w.add('card_accounts', { id: accountId, customer_id: customerId, product_code: DEFAULT_PRODUCT_CODE, limit_fils: limitFils, posted_fils: postedFils[i], held_fils: 0, over_limit_enabled: 1, over_limit_used: 0, over_limit_auth_id: null, over_limit_used_at: null, status: 'open', created_at: created, closed_at: null,
      last_authorization_id: heads.last[i] ?? null, last_authorization_at: heads.lastAt[i] || null,
      last_notified_authorization_id: heads.lastNotified[i] ?? null });
    let pan = generatePan(product.bin);
    while (pans.has(pan)) pan = generatePan(product.bin);
    pans.add(pan);
    const card = cardRow(keyring, ids.card(created), accountId, customerId, pan, product.bin, nowMs);
    await w.add('cards', card);
    if (i % sampleEvery === 0) cards.push({ pan, expiry: card.expiry, cvv2: keyring.cvv2(pan, card.expiry), limitFils });
    if (i > 0 && i % 100_000 === 0) log(`  ${i} cards`);
  }
  pans.clear();
  await w.end();
  if (handle.sqlite) {
    handle.sqlite.exec('analyze');
    handle.sqlite.pragma('journal_mode = WAL');
    handle.sqlite.pragma(`synchronous = ${o.sync ?? 'FULL'}`);
    // Put the seeded data on disk now: otherwise the service's first checkpoint fsync flushes
    // gigabytes of seeding's dirty pages, and the benchmark measures that flush.
    const fd = openSync(handle.sqlite.name, 'r+');
    fsyncSync(fd);
    closeSync(fd);
  } else {
    await sql`analyze`.execute(handle.db);
  }
  await handle.close();
  return { cards, seconds: (performance.now() - started) / 1000, rows: w.rows };
}

function cardRow(keyring: Keyring, id: string, accountId: string, customerId: string, pan: string, bin: string, nowMs: number) {
  const sealed = keyring.encrypt(pan, `pan:${id}`);
  return {
    id, account_id: accountId, customer_id: customerId, status: 'active', status_reason: null,
    pan_ciphertext: sealed.ciphertext, pan_key_id: sealed.keyId, pan_fingerprint: keyring.fingerprint(pan),
    bin, last4: pan.slice(-4), expiry: expiryFor(nowMs), verification_failures: 0, replaced_by: null,
    created_at: nowMs - 400 * DAY_MS, updated_at: nowMs - 400 * DAY_MS,
  };
}

interface HistoryPlan { account: Uint32Array; amount: Uint32Array; approved: Uint8Array }

/** Decides the history first, so each account's posted balance is known when its row is written. */
function planHistory(cards: number, count: number, postedFils: Float64Array): HistoryPlan {
  const plan = { account: new Uint32Array(count), amount: new Uint32Array(count), approved: new Uint8Array(count) };
  for (let i = 0; i < count; i++) {
    const a = randomInt(cards);
    const amount = 100 + randomInt(2_000);
    const approved = randomInt(4) > 0 ? 1 : 0;
    plan.account[i] = a; plan.amount[i] = amount; plan.approved[i] = approved;
    if (approved) postedFils[a] += amount;
  }
  return plan;
}

/** The newest authorization and notified authorization of each account (by index), and the former's time. */
interface ChainHeads { last: string[]; lastAt: Float64Array; lastNotified: string[] }

/** Writes the history in time order, chaining each account's authorizations as authorize does. */
async function writeHistory(w: BulkWriter, p: HistoryPlan, accountIds: string[], nowMs: number, log: (l: string) => void): Promise<ChainHeads> {
  const authId = idMaker('auth');
  const trId = idMaker('tr');
  const count = p.account.length;
  const heads: ChainHeads = { last: new Array(accountIds.length), lastAt: new Float64Array(accountIds.length), lastNotified: new Array(accountIds.length) };
  // Every past purchase is at one merchant: an account knows it from its first approval there.
  const merchantId = 'M-HIST';
  const knowsMerchant = new Uint8Array(accountIds.length);
  const start = nowMs - 90 * DAY_MS;
  for (let i = 0; i < count; i++) {
    const at = start + Math.floor((i / Math.max(count, 1)) * 89 * DAY_MS);
    const a = p.account[i];
    const accountId = accountIds[a];
    const id = authId(at);
    const approved = p.approved[i] === 1;
    // Declines: half blocked attempts (a notification each), half a blocked MCC (none).
    const ruleId = approved ? 'approved' : i % 2 ? 'channel_card_present' : 'mcc_blocked';
    const notified = notifiesCardholder({ approved, ruleId });
    const stan = String(i % 1_000_000).padStart(6, '0');
    const time = new Date(at).toISOString();
    await w.add('authorizations', {
      id, account_id: accountId, card_id: null, idempotency_key: `history|${stan}|${time}|${i}`, request_hash: 'history',
      network_client: 'history', acquirer_id: 'history', rrn: String(i).padStart(12, '0'), stan, processing_code: '000000',
      amount: p.amount[i], currency: '414', billing_fils: p.amount[i], fx_rate: '1', mcc: '5732', merchant_id: merchantId,
      merchant_name: 'Past Purchase Online', merchant_country: 'KW', pos_entry_mode: '812',
      response_code: approved ? '00' : '57', reason: ruleId, rule_id: ruleId, approved: approved ? 1 : 0,
      auth_code: approved ? 'HIST01' : null, over_limit: 0, hold_fils: 0, hold_transfer_id: null,
      status: approved ? 'cleared' : 'declined', expires_at: null, created_at: at, updated_at: at,
      prev_authorization_id: heads.last[a] ?? null, prev_notified_authorization_id: notified ? heads.lastNotified[a] ?? null : null,
    });
    heads.last[a] = id;
    heads.lastAt[a] = at;
    if (notified) heads.lastNotified[a] = id;
    if (approved && !knowsMerchant[a]) {
      knowsMerchant[a] = 1;
      await w.add('known_merchants', { account_id: accountId, merchant_id: merchantId });
    }
    if (approved) {
      await w.add('ledger_transfers', {
        id: trId(at), account_id: accountId, kind: 'posted', pending_id: null, debit_account: cardLedger(accountId),
        credit_account: NETWORK_SETTLEMENT, amount_fils: p.amount[i], reference: `clearing:${id}`, created_at: at,
      });
    }
    if (i > 0 && i % 1_000_000 === 0) log(`  ${i} past authorizations`);
  }
  return heads;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function cli() {
  const { resolveSecrets } = await import('../src/dev-keys.js');
  const args = process.argv.slice(2);
  const config = loadConfig();
  const databaseUrl = flag(args, '--db') ?? config.databaseUrl;
  const { secrets } = resolveSecrets(config, 'data');
  const result = await seedDatabase({
    databaseUrl, secrets, cards: Number(flag(args, '--cards') ?? 10_000), history: Number(flag(args, '--history') ?? 0),
    log: (l) => process.stdout.write(l + '\n'),
  });
  process.stdout.write(`seeded ${result.rows} rows in ${result.seconds.toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  cli().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
}
