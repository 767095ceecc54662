// Crash safety (issue 7 §6): the real server under authorization load, killed with SIGKILL several
// times mid-stream and restarted. Every approval the client saw is in the database, no request was
// approved twice (one row per idempotency key, retransmissions answered with the original), and the
// ledger and the audit chains check out.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type SeededCard } from '../../scripts/seed.js';
import type { Secrets } from '../../src/config.js';
import { verifyAuditLog } from '../../src/service/audit/verify-chain.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { checkLedger } from '../../src/service/ledger/check-ledger.js';
import { openDatabase } from '../../src/store/db.js';
import { childSecrets, startChildServer, type ChildServer } from '../support/child-server.js';

const PATH = '/v1/network/authorizations';
const ROUNDS = 3;
let dir: string;
let databaseUrl: string;
let cards: SeededCard[];
const secrets: Secrets = childSecrets();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isc-crash-'));
  databaseUrl = `sqlite:${join(dir, 'cards.db')}`;
  cards = (await seedDatabase({ databaseUrl, cards: 4, history: 0, secrets })).cards;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sent { key: string; raw: string; outcome: 'approved' | 'declined' | 'unknown'; authorizationId?: string }

let stanCounter = 0;
function newRequest(): Sent {
  stanCounter += 1;
  const stan = String(stanCounter).padStart(6, '0');
  const card = cards[stanCounter % cards.length];
  const transmissionTime = new Date(Date.UTC(2026, 10, 23, 10, 0, 0) + stanCounter * 1000).toISOString();
  const raw = JSON.stringify({
    mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000', amount: 100 + (stanCounter % 7),
    currency: '414', transmissionTime, stan, rrn: `7${stan.padStart(11, '0')}`, mcc: '5732', posEntryMode: '812',
    posConditionCode: '59', acquirerId: '412345', merchantId: 'M-1', merchantName: 'Crash Shop', merchantCountry: 'KW',
  });
  return { key: idempotencyKey(secrets.networkKeyId, { acquirerId: '412345', stan, transmissionTime }), raw, outcome: 'unknown' };
}

async function send(server: ChildServer, s: Sent): Promise<void> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secrets.networkSecret).update(`${ts}.POST.${PATH}.${s.raw}`).digest('hex');
  try {
    const res = await fetch(`${server.url}${PATH}`, {
      method: 'POST', body: s.raw,
      headers: { 'content-type': 'application/json', 'x-key-id': secrets.networkKeyId, 'x-timestamp': ts, 'x-signature': signature },
    });
    const body = await res.json() as { approved: boolean; authorizationId: string; responseCode: string };
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    // A retransmission of something seen before must get the very same answer.
    if (s.authorizationId) expect(body.authorizationId).toBe(s.authorizationId);
    s.outcome = body.approved ? 'approved' : 'declined';
    s.authorizationId = body.authorizationId;
  } catch (error) {
    if (s.outcome === 'unknown' && !String(error).includes('status')) return; // the server died under us
    throw error;
  }
}

describe('SIGKILL under load', () => {
  it('loses no approval and approves nothing twice', async () => {
    const sent: Sent[] = [];
    let interrupted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startChildServer(databaseUrl, secrets, { SQLITE_SYNCHRONOUS: 'FULL' });
      // Retransmit what was left unanswered by the last crash, and a few answered ones.
      await Promise.all(sent.filter((s) => s.outcome === 'unknown').map((s) => send(server, s)));
      await Promise.all(sent.filter((s) => s.outcome === 'approved').slice(0, 5).map((s) => send(server, s)));
      let stop = false;
      const workers = Array.from({ length: 6 }, async () => {
        while (!stop) {
          const s = newRequest();
          sent.push(s);
          await send(server, s);
        }
      });
      // Kill mid-stream: once enough traffic has gone through in this round.
      const target = sent.length + 40 + round * 10;
      while (sent.length < target) await sleep(5);
      server.proc.kill('SIGKILL');
      await server.exit;
      stop = true;
      await Promise.all(workers);
      interrupted += sent.filter((s) => s.outcome === 'unknown').length;
    }
    // Final restart: every unknown outcome is retransmitted and answered.
    const server = await startChildServer(databaseUrl, secrets);
    for (const s of sent.filter((x) => x.outcome === 'unknown')) await send(server, s);
    server.proc.kill('SIGTERM');
    expect(await server.exit).toBe(0);

    expect(interrupted).toBeGreaterThanOrEqual(ROUNDS); // the kills really hit requests in flight
    expect(sent.every((s) => s.outcome !== 'unknown')).toBe(true);
    const approved = sent.filter((s) => s.outcome === 'approved');
    expect(approved.length).toBeGreaterThan(100);

    const handle = openDatabase(databaseUrl);
    try {
      const rows = await handle.db.selectFrom('authorizations').select(['id', 'idempotency_key', 'approved']).execute();
      const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
      expect(rows.length).toBe(byKey.size);           // one row per idempotency key
      expect(rows.length).toBe(sent.length);           // and exactly one for every request sent
      for (const s of approved) {
        const row = byKey.get(s.key);
        expect(row?.id).toBe(s.authorizationId);
        expect(row?.approved).toBe(1);
      }
      const ledger = await checkLedger(handle.db);
      // The seed script opens current accounts with a balance but no funding transfer; everything
      // this test moved (card holds, debits = credits) must agree.
      expect(ledger.differences.filter((d) => d.check !== 'current_balance')).toEqual([]);
      expect(ledger.totals.postedDebits).toBe(ledger.totals.postedCredits);
      const holds = await handle.db.selectFrom('card_accounts').select((eb) => eb.fn.sum<number>('held_fils').as('held')).executeTakeFirstOrThrow();
      const expected = approved.reduce((n, s) => n + 100 + (Number(JSON.parse(s.raw).stan) % 7), 0);
      expect(Number(holds.held)).toBe(expected);
      expect((await verifyAuditLog(handle.db, Date.now())).ok).toBe(true);
    } finally {
      await handle.close();
    }
  }, 180_000);
});
