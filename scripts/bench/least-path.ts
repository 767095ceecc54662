// Ad-hoc: the least any code could do for one authorization that keeps SPEC's promises, written by
// hand against bare better-sqlite3 — synchronous, no framework, no promises, lean rows with integer
// keys — measured against baseline (b) (engine.ts, bareSqlite) in the same rounds, at the same
// batch and synchronous mode. Its scope is the engine's (engineRatio's numerator): a parsed request
// in, no HTTP and no request signature; the requests are made before the clock starts. What it
// keeps, because SPEC asks for it:
//   - the PAN looked up by keyed fingerprint, never in the clear (§2), the CVV2 computed and
//     compared (§2), the card and its account read and the rules applied (§3, §4), the one-time
//     exceed spent in the same transaction and remembered (§3: a full reversal gives it back);
//   - the network's retransmission answered from the original: a unique key on the authorization
//     and the request's hash kept, to tell a retransmission from a different request (§4);
//   - the authorization row, findable by acquirer + rrn for reversals and clearing (§5), its hold's
//     expiry indexed for the expiry job (§5), with a random approval code;
//   - a pending double-entry transfer for the hold, and the account's held amount (§5);
//   - one audit entry, hash-chained, with before/after (§9).
// What it leaves out, each of which the engine pays for: the answer to a retransmission (it only
// detects one), notifications (the over-limit one, blocked attempts), the chains the cardholder's
// lists walk, 3-D Secure, foreign currencies, card freezes after CVV2 failures.
// `--without audit,transfer` drops those writes, to show what each costs. `--engine` runs our
// engine (engine.ts, engineRun) in the same rounds on a seeded database.
import Database from 'better-sqlite3';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bareSqlite, engineRun } from './engine.js';
import { benchSecrets } from './manifest.js';
import { seedDatabase } from '../seed.js';

const { values } = parseArgs({ options: {
  rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' },
  batch: { type: 'string', default: '22' }, cards: { type: 'string', default: '10000' },
  without: { type: 'string', default: '' }, engine: { type: 'boolean', default: false },
} });
const rounds = Number(values.rounds), seconds = Number(values.seconds), batch = Number(values.batch);
const cards = Number(values.cards);
const without = new Set(values.without!.split(',').filter(Boolean));

const SCHEMA = `
create table accounts (id integer primary key, limit_fils integer not null, held_fils integer not null,
  posted_fils integer not null, exceed_used integer not null, exceed_authorization_id integer, status text not null);
create table cards (id integer primary key, fingerprint blob not null unique, account_id integer not null,
  expiry text not null, status text not null);
create table authorizations (id integer primary key, account_id integer, card_id integer,
  idempotency_key text not null unique, request_hash blob not null, acquirer_id text not null, rrn text not null, amount_fils integer not null,
  currency text not null, mcc text not null, merchant_name text not null, channel text not null,
  response_code text not null, reason text, auth_code text, held_fils integer not null, expires_at integer,
  created_at integer not null);
create index authorizations_by_rrn on authorizations (acquirer_id, rrn);
create index open_holds on authorizations (expires_at) where expires_at is not null;
create table transfers (id integer primary key, debit_account integer not null, credit_account integer not null,
  amount_fils integer not null, state text not null, authorization_id integer not null, created_at integer not null);
create table audit_log (seq integer primary key, actor text not null, action text not null, target text not null,
  at integer not null, source_ip text not null, change text not null, prev_hash blob not null, hash blob not null);`;

interface Request { pan: string; expiry: string; cvv2: string; amount: number; mcc: string; channel: string; acquirerId: string; rrn: string; stan: string; transmissionTime: string }

interface LeastPathRun { perSec: number; requests: number; authorizations: number; approved: number; transfers: number; auditEntries: number; chainIntact: boolean }

function leastPath(): LeastPathRun {
  const dir = mkdtempSync(join(tmpdir(), 'isc-least-'));
  const db = new Database(join(dir, 'least.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    const fingerprintKey = randomBytes(32), cvvKey = randomBytes(32);
    const fingerprint = (pan: string) => createHmac('sha256', fingerprintKey).update(pan).digest();
    const cvv2 = (pan: string, expiry: string) => String(createHmac('sha256', cvvKey).update(`${pan}|${expiry}`).digest().readUInt32BE(0) % 1000).padStart(3, '0');
    const pans: string[] = [];
    const addAccount = db.prepare("insert into accounts values (?, 100000, 0, 0, 0, null, 'open')");
    const addCard = db.prepare("insert into cards values (?, ?, ?, '3012', 'active')");
    db.transaction(() => {
      for (let i = 0; i < cards; i++) {
        const pan = `4${String(i).padStart(15, '0')}`;
        pans.push(pan);
        addAccount.run(i);
        addCard.run(i, fingerprint(pan), i);
      }
    })();
    const read = db.prepare(`select c.id card_id, c.expiry, c.status card_status, a.id account_id, a.limit_fils, a.held_fils,
      a.posted_fils, a.exceed_used, a.status account_status from cards c join accounts a on a.id = c.account_id where c.fingerprint = ?`);
    const insertAuthorization = db.prepare(`insert into authorizations (account_id, card_id, idempotency_key, request_hash, acquirer_id, rrn,
      amount_fils, currency, mcc, merchant_name, channel, response_code, reason, auth_code, held_fils, expires_at, created_at)
      values (?, ?, ?, ?, ?, ?, ?, '414', ?, 'Shop', ?, ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing`);
    const insertTransfer = db.prepare("insert into transfers (debit_account, credit_account, amount_fils, state, authorization_id, created_at) values (?, 0, ?, 'pending', ?, ?)");
    const updateAccount = db.prepare('update accounts set held_fils = ? where id = ?');
    const updateAccountOverLimit = db.prepare('update accounts set held_fils = ?, exceed_used = 1, exceed_authorization_id = ? where id = ?');
    const appendAudit = db.prepare('insert into audit_log (actor, action, target, at, source_ip, change, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)');
    let prevHash: Buffer = Buffer.alloc(32);
    let n = 0;
    // The network's requests, made before the clock starts (the baseline has no client either).
    const REQUESTS = 400_000;
    const requests: Request[] = [];
    for (let k = 0; k < REQUESTS; k++) {
      const i = (k * 7919) % cards, kind = k % 20;
      // 80 % approvable, 15 % at a physical terminal, 5 % over the limit (limit + 10 %: the first on an account is approved with the exceed).
      requests.push({ pan: pans[i]!, expiry: '3012', cvv2: cvv2(pans[i]!, '3012'), amount: kind === 19 ? 110000 : 1250, mcc: '5411',
        channel: kind >= 16 && kind < 19 ? 'chip' : 'ecommerce', acquirerId: 'ACQ1', rrn: String(k).padStart(12, '0'),
        stan: String(k % 1e6).padStart(6, '0'), transmissionTime: new Date(1_800_000_000_000 + k).toISOString() });
    }
    const authorize = (r: Request) => {
      const card = read.get(fingerprint(r.pan)) as { card_id: number; expiry: string; card_status: string; account_id: number; limit_fils: number; held_fils: number; posted_fils: number; exceed_used: number; account_status: string };
      const now = Date.now();
      const available = card.limit_fils - card.held_fils - card.posted_fils;
      const overLimit = r.amount > available;
      // The product's default margin: 20 % of the limit (SPEC §3).
      const code = card.card_status !== 'active' || card.account_status !== 'open' ? '62'
        : r.channel !== 'ecommerce' ? '57' : r.expiry !== card.expiry ? '54' : cvv2(r.pan, r.expiry) !== r.cvv2 ? '82'
        : overLimit && (card.exceed_used || card.held_fils + card.posted_fils + r.amount > card.limit_fils * 1.2) ? '51' : '00';
      const approved = code === '00';
      const held = approved ? card.held_fils + r.amount : card.held_fils;
      const requestHash = createHash('sha256').update(JSON.stringify(r)).digest();
      const inserted = insertAuthorization.run(card.account_id, card.card_id, `${r.acquirerId}:${r.stan}:${r.transmissionTime}`, requestHash, r.acquirerId, r.rrn,
        r.amount, r.mcc, r.channel, code, approved ? null : 'declined', approved ? String(randomInt(1_000_000)).padStart(6, '0') : null,
        approved ? r.amount : 0, approved ? now + 7 * 86_400_000 : null, now);
      // A retransmission: the engine would answer from the original row.
      if (inserted.changes === 0) return;
      const authorizationId = Number(inserted.lastInsertRowid);
      if (approved) {
        if (!without.has('transfer')) insertTransfer.run(card.account_id, r.amount, authorizationId, now);
        if (overLimit) updateAccountOverLimit.run(held, authorizationId, card.account_id);
        else updateAccount.run(held, card.account_id);
      }
      if (without.has('audit')) return;
      const change = JSON.stringify({ before: { available }, after: { available: card.limit_fils - held - card.posted_fils }, responseCode: code });
      const at = now, target = `authorization:${authorizationId}`;
      const hash = createHash('sha256').update(prevHash).update(`${at}|${target}|${change}`).digest();
      appendAudit.run(`network:${r.acquirerId}`, approved ? 'authorization.approved' : 'authorization.declined', target, at, '127.0.0.1', change, prevHash, hash);
      prevHash = hash;
    };
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until) {
      db.exec('begin');
      for (let j = 0; j < batch; j++) authorize(requests[n++ % REQUESTS]!);
      db.exec('commit');
    }
    const perSec = n / ((performance.now() - started) / 1000);
    // What it wrote, so that a path that skipped work could not pass for a fast one.
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    let previous: Buffer = Buffer.alloc(32), chainIntact = true;
    for (const e of db.prepare('select at, target, change, prev_hash, hash from audit_log order by seq').iterate() as Iterable<{ at: number; target: string; change: string; prev_hash: Buffer; hash: Buffer }>) {
      const hash = createHash('sha256').update(previous).update(`${e.at}|${e.target}|${e.change}`).digest();
      chainIntact &&= e.prev_hash.equals(previous) && e.hash.equals(hash);
      previous = e.hash;
    }
    return { perSec, requests: n, authorizations: count('select count(*) n from authorizations'),
      approved: count("select count(*) n from authorizations where response_code = '00'"),
      transfers: count('select count(*) n from transfers'), auditEntries: count('select count(*) n from audit_log'), chainIntact };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secrets = benchSecrets();
const engineDir = values.engine ? mkdtempSync(join(tmpdir(), 'isc-least-engine-')) : null;
const seeded = engineDir ? await seedDatabase({ databaseUrl: `sqlite:${join(engineDir, 'e.db')}`, cards, history: 0, secrets, sync: 'FULL', log: () => {} }) : null;
const ratios: number[] = [], engineRatios: number[] = [];
console.log(`batch ${batch}, ${cards} cards, synchronous=FULL, ${seconds} s per side${without.size ? `, without ${[...without].join(', ')}` : ''}`);
for (let round = 1; round <= rounds; round++) {
  // Which runs first alternates, so that a host speeding up or slowing down weighs on both alike.
  let baseline = 0;
  if (round % 2 === 1) baseline = await bareSqlite({ seconds, batch, sync: 'FULL', accounts: cards });
  const least = leastPath();
  if (round % 2 === 0) baseline = await bareSqlite({ seconds, batch, sync: 'FULL', accounts: cards });
  ratios.push(least.perSec / baseline);
  let line = `round ${round}: baseline (b) ${Math.round(baseline)} tx/s, least path ${Math.round(least.perSec)} auth/s, ratio ${(least.perSec / baseline).toFixed(3)}`;
  if (seeded) {
    const engine = await engineRun(`sqlite:${join(engineDir!, 'e.db')}`, secrets, seeded.cards, { seconds, inFlight: batch, sync: 'FULL' });
    engineRatios.push(engine.perSec / baseline);
    line += `, engine ${Math.round(engine.perSec)} auth/s, engineRatio ${(engine.perSec / baseline).toFixed(3)}`;
  }
  console.log(line);
  console.log(`  least path wrote: ${least.requests} requests, ${least.authorizations} authorizations (${least.approved} approved), ${least.transfers} pending transfers, ${least.auditEntries} audit entries, chain ${least.chainIntact ? 'intact' : 'BROKEN'}`);
}
if (engineDir) rmSync(engineDir, { recursive: true, force: true });
console.log(JSON.stringify({ leastPathRatio: Number(median(ratios).toFixed(3)), ...(seeded ? { engineRatio: Number(median(engineRatios).toFixed(3)) } : {}), rounds, batch }));
