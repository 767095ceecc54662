// Attacks on the PostgreSQL lane's pipeline (docs/decisions/0077-pg-batch-in-one-round-trip.md,
// runtime/pg-group-commit.ts, runtime/pg-direct.ts): a batch's writes wait for its COMMIT, and that
// COMMIT carries the next batch's BEGIN and read ahead, whose rows the next batch takes. Here the
// next batch is queued while a batch runs (from inside one of its units, so that it is the lane's
// next batch for certain): the same card across the two batches, on two lanes and on two
// instances; a retransmission right after its original, here or on the other instance; a
// reversal, an advice, a throwing unit and a swallowed error around the batch begun ahead; a write
// waiting ahead of a statement's first Parse; a write the database refuses at COMMIT; the lane's
// connection killed, lost or its read cancelled while the next batch's read waits on a lock, and
// killed inside the batch begun ahead. Each test asserts a SPEC §3-4 invariant (the over-limit
// allowance spent once, one hold per key, held = the open holds, the audit log verified, a batch
// that committed answered as committed) and that no pooled connection is left inside a transaction.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestSchema } from '../../src/http/network/schemas.js';
import { pgGroupCommitFor, type PgBatchStats } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { AuthorizationAdviceRequestSchema } from '../../src/http/network/schemas.js';
import { advise } from '../../src/service/network/advise.js';
import { authorize, type AuthorizeOutcome } from '../../src/service/network/authorize.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { reverse } from '../../src/service/network/reverse.js';
import type { AuthorizationReadHint } from '../../src/store/authorization-reads.repository.js';
import { isDatabaseUnavailable } from '../../src/store/db-unavailable.js';
import type { Trx } from '../../src/store/db.js';
import { Harness, NETWORK_KEY_ID } from '../support/harness.js';
import { expectAccountInvariants } from '../support/ledger-check.js';

const onPostgres = !!process.env.TEST_DATABASE_URL;
const LIMIT_FILS = 100_000;
const MARGIN_FILS = 20_000; // the default product's 20 %

type Holder = Awaited<ReturnType<Harness['cardholder']>>;
type Card = { pan: string; expiry: string; cvv2: string };
type Unit = () => Promise<unknown>;
type Request = ReturnType<typeof AuthorizationRequestSchema.parse>;

describe.skipIf(!onPostgres)('attacks on the PostgreSQL lane\'s pipeline (COMMIT with the next batch\'s read)', () => {
  let h: Harness;
  let second: Harness;
  const batches: PgBatchStats[] = [];

  // COMMITs sent with the next batch's BEGIN and read ahead (commitAndBegin), seen at the pg client.
  let pipelined = 0;
  /** The client that sent the last of them (a lane's connection). */
  let pipelinedOn: pg.Client | undefined;
  const query = pg.Client.prototype.query;
  beforeAll(async () => {
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const before = (args[0] as { before?: Array<{ text?: string }> } | undefined)?.before;
      if (Array.isArray(before) && before.some((b) => b.text === 'commit') && before.some((b) => b.text === 'begin')) { pipelined++; pipelinedOn = this; }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    h = await Harness.create({ backend: 'postgres' });
    second = await Harness.create({ backend: 'postgres', joining: h });
    for (const each of [h, second]) pgGroupCommitFor(each.deps.handle)!.observe((s) => batches.push(s));
    // Every statement of the path parsed on the lanes' connections, and the acquirer's permission cached.
    const warm = await h.cardholder();
    for (const on of [h, second]) {
      for (let i = 0; i < 3; i++) {
        await Promise.all([0, 1, 2].map(() => purchase(request(warm, { amount: 100 }), on)()));
      }
    }
  }, 60_000);
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await second?.close();
    await h?.close();
  });
  afterEach(async () => {
    await noTransactionLeftOpen();
  });

  // Requests are always made by `h`: its STAN counter is the one both instances' keys come from.
  const request = (card: Card, overrides: Record<string, unknown> = {}): Request => AuthorizationRequestSchema.parse(h.purchase(card, overrides));
  const hintOf = (on: Harness, r: Request): AuthorizationReadHint =>
    ({ key: idempotencyKey(NETWORK_KEY_ID, r), fingerprint: on.deps.keyring.fingerprint(r.pan) });
  const authorizeOn = (on: Harness, r: Request) => (trx: Trx) => authorize(trx, on.deps, { request: r, networkClient: NETWORK_KEY_ID });

  /** An authorization as the network route runs it, on `lane`. */
  const purchase = (r: Request, on: Harness = h, lane = 'attack'): Unit => () =>
    runNetworkVerb(on.deps, authorizeOn(on, r), lane, hintOf(on, r));
  /** A unit of another kind (no hint), on `lane`. */
  const other = <T>(work: (trx: Trx) => Promise<T>, on: Harness = h, lane = 'attack'): Unit => () => runNetworkVerb(on.deps, work, lane);

  /**
   * An authorization whose unit, once it has run, queues `next` on the lanes: they wait for this
   * batch, and on this lane their read ahead goes with its COMMIT. `next` is given this
   * authorization's outcome (not committed yet when it is called).
   */
  function chained(r: Request, next: (first: AuthorizeOutcome) => Unit[], on: Harness = h, lane = 'attack') {
    let after: Promise<PromiseSettledResult<unknown>[]> | undefined;
    const unit: Unit = () => runNetworkVerb(on.deps, async (trx) => {
      const outcome = await authorizeOn(on, r)(trx);
      // The unit may run again (the batch's run with savepoints): the next batch is queued once.
      after ??= Promise.allSettled(next(outcome).map((u) => u()));
      return outcome;
    }, lane, hintOf(on, r));
    return { unit, next: async () => { if (!after) throw new Error('the chained unit never ran'); return after; } };
  }

  const answerOf = (o: PromiseSettledResult<unknown>) => {
    if (o.status === 'rejected') throw o.reason;
    return (o.value as AuthorizeOutcome).response;
  };
  const codes = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.map((o) => answerOf(o).responseCode);

  async function cardholders(n: number): Promise<Holder[]> {
    const out: Holder[] = [];
    for (let i = 0; i < n; i++) out.push(await h.cardholder(LIMIT_FILS));
    return out;
  }
  const account = (id: string) => h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const invariantsHold = (accountIds: string[]) => expectAccountInvariants(h.deps.handle, accountIds, LIMIT_FILS + MARGIN_FILS, h.clock.now());

  /**
   * b's account locked by another session, then a's purchase in a batch whose COMMIT carries the
   * next batch's read (b's and c's purchases): resolves once that read waits for the lock, with the
   * waiting backend's pid and a second session to act on it. `end` closes both sessions.
   */
  async function nextReadBlocked(a: Holder, b: Holder, c: Holder) {
    await warmLane();
    const blocker = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    const watcher = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await blocker.connect();
    await watcher.connect();
    const end = async () => { await blocker.end().catch(() => {}); await watcher.end(); };
    try {
      const schema = (h as unknown as { shared: { pgSchema: string } }).shared.pgSchema;
      await blocker.query('begin');
      await blocker.query(`select id from ${schema}.card_accounts where id = $1 for update`, [b.card.accountId]);
      const firstRequest = request(a, { amount: 1_000 });
      const nextRequests = [request(b, { amount: 1_000 }), request(c, { amount: 1_000 })];
      const first = chained(firstRequest, () => nextRequests.map((r) => purchase(r)));
      const answered = Promise.allSettled([first.unit()]);
      let pid: number | undefined;
      for (let i = 0; i < 200 && pid === undefined; i++) {
        // pg_stat_activity cuts a long query's text: the read ahead shows as its start.
        const { rows } = await watcher.query(`select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'with "r" as materialized%' and pid = any($1::int[])`, [poolPids(h)]);
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      expect(pid).toBeDefined();
      // The first batch committed already (its row is there), though its caller has no answer yet.
      const committed = await watcher.query(`select count(*)::int as n from ${schema}.authorizations where idempotency_key = $1`, [idempotencyKey(NETWORK_KEY_ID, firstRequest)]);
      expect(committed.rows[0].n).toBe(1);
      return { pid: pid!, blocker, watcher, nextRequests, first, answered, end };
    } catch (error) {
      await end();
      throw error;
    }
  }

  const poolPids = (on: Harness) => ((on.deps.handle.pool as unknown as { _clients: Array<{ processID: number }> })._clients).map((c) => c.processID);

  /** No connection of either instance's pool is inside a transaction once the lanes are idle (none begun ahead and left open). */
  async function noTransactionLeftOpen() {
    const pids = [h, second].flatMap(poolPids);
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`select pid, state, query from pg_stat_activity where pid = any($1::int[]) and state like 'idle in transaction%'`, [pids]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  }

  /**
   * A batch of two on the lane, so that its read ahead is parsed on the connection the lane takes
   * next (the pool hands out its last released; a test before may have had the lane's killed):
   * only then does a COMMIT carry the next batch's read.
   */
  async function warmLane() {
    const [d] = await cardholders(1);
    expect(codes(await Promise.allSettled([purchase(request(d, { amount: 100 }))(), purchase(request(d, { amount: 100 }))()]))).toEqual(['00', '00']);
  }

  /** A lane key whose lane differs from 'attack''s. */
  function otherLaneKey(on: Harness): string {
    const gc = pgGroupCommitFor(on.deps.handle)!;
    for (let i = 0; ; i++) if (gc.laneOf(`other-${i}`) !== gc.laneOf('attack')) return `other-${i}`;
  }

  it('one card across two batches of one lane, the second begun with the first\'s COMMIT: the exceed spent once, the same answers as one at a time', async () => {
    const [a, b, serialA, serialB] = await cardholders(4);
    const plan = (x: Card, y: Card) => ({
      first: [{ card: x, amount: 35_000 }, { card: y, amount: 1_000 }, { card: x, amount: 35_000 }],
      then: [{ card: x, amount: 35_000 }, { card: x, amount: 1_000 }, { card: y, amount: 2_000 }, { card: x, amount: 35_000 }],
    });
    const serial: string[] = [];
    const s = plan(serialA, serialB);
    for (const p of [...s.first, ...s.then]) serial.push((await h.authorize(p.card, { amount: p.amount })).body.responseCode);
    expect(serial).toEqual(['00', '00', '00', '00', '51', '00', '51']);

    const p = plan(a, b);
    await warmLane();
    const pipelinedBefore = pipelined;
    const before = batches.length;
    const first = chained(request(p.first[0].card, { amount: p.first[0].amount }), () => p.then.map((x) => purchase(request(x.card, { amount: x.amount }))));
    const outcomes = await Promise.allSettled([first.unit, ...p.first.slice(1).map((x) => purchase(request(x.card, { amount: x.amount })))].map((u) => u()));
    const nextOutcomes = await first.next();
    expect([...codes(outcomes), ...codes(nextOutcomes)]).toEqual(serial);
    // Two batches, the second begun with the first's COMMIT.
    expect(batches.slice(before).map((x) => x.size)).toEqual([3, 4]);
    expect(pipelined - pipelinedBefore).toBe(1);
    const after = await account(a.card.accountId);
    expect(after.held_fils).toBe(105_000);
    expect(after.over_limit_used).toBe(1);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('one card on two lanes and two instances, each pipelining its batches: the limit and the exceed hold across all four', async () => {
    const [a] = await cardholders(1);
    const otherLane = otherLaneKey(h);
    const secondOther = otherLaneKey(second);
    const pipelinedBefore = pipelined;
    const chains = [
      chained(request(a, { amount: 35_000 }), () => [purchase(request(a, { amount: 35_000 })), purchase(request(a, { amount: 20_000 }))], h, 'attack'),
      chained(request(a, { amount: 35_000 }), () => [purchase(request(a, { amount: 35_000 }), h, otherLane), purchase(request(a, { amount: 20_000 }), h, otherLane)], h, otherLane),
      chained(request(a, { amount: 35_000 }), () => [purchase(request(a, { amount: 35_000 }), second), purchase(request(a, { amount: 20_000 }), second)], second, 'attack'),
      chained(request(a, { amount: 35_000 }), () => [purchase(request(a, { amount: 35_000 }), second, secondOther), purchase(request(a, { amount: 20_000 }), second, secondOther)], second, secondOther),
    ];
    const firsts = await Promise.allSettled(chains.map((c) => c.unit()));
    const thens = (await Promise.all(chains.map((c) => c.next()))).flat();
    expect(pipelined - pipelinedBefore).toBeGreaterThanOrEqual(1);
    const all = [...firsts, ...thens].map(answerOf);
    const approved = all.filter((x) => x.approved);
    const overLimit = await h.deps.handle.db.selectFrom('authorizations').select('id')
      .where('account_id', '=', a.card.accountId).where('over_limit', '=', 1).where('approved', '=', 1).execute();
    expect(overLimit.length).toBeLessThanOrEqual(1);
    const after = await account(a.card.accountId);
    expect(after.held_fils).toBeLessThanOrEqual(LIMIT_FILS + MARGIN_FILS);
    expect(after.held_fils).toBe(approved.reduce((sum, x) => sum + (x.billingAmount ?? 0), 0));
    await invariantsHold([a.card.accountId]);
  });

  it('a retransmission in the batch right after its original (its read ahead sent with the original\'s COMMIT): replayed, one hold', async () => {
    const [a, b] = await cardholders(2);
    const original = request(a, { amount: 20_000 });
    await warmLane();
    const pipelinedBefore = pipelined;
    const first = chained(original, () => [
      purchase({ ...original }), purchase(request(b, { amount: 1_000 })), purchase({ ...original, amount: 21_000 }), purchase({ ...original }),
    ]);
    const [o] = await Promise.allSettled([first.unit()]);
    const then = await first.next();
    expect(pipelined - pipelinedBefore).toBe(1);
    const answer = answerOf(o);
    expect(answer).toMatchObject({ approved: true });
    expect(answerOf(then[0])).toEqual(answer);
    expect(answerOf(then[3])).toEqual(answer);
    expect(answerOf(then[2]).responseCode).toBe('94');
    const rows = await h.deps.handle.db.selectFrom('authorizations').select('id')
      .where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, original)).execute();
    expect(rows).toHaveLength(1);
    expect((await account(a.card.accountId)).held_fils).toBe(20_000);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('a reversal and a throwing unit in the batch begun ahead: the reversal sees the committed hold, the throw sinks only itself', async () => {
    const [a, b] = await cardholders(2);
    await warmLane();
    const pipelinedBefore = pipelined;
    const first = chained(request(a, { amount: 35_000 }), (outcome) => [
      purchase(request(a, { amount: 35_000 })),
      other((trx) => reverse(trx, h.deps, { authorizationId: outcome.response.authorizationId!, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() }, NETWORK_KEY_ID)),
      purchase(request(a, { amount: 35_000 })),
      other(async () => { throw new Error('a unit that throws'); }),
      purchase(request(b, { amount: 1_000 })),
      purchase(request(a, { amount: 35_000 })),
      purchase(request(a, { amount: 35_000 })),
    ]);
    const [o] = await Promise.allSettled([first.unit()]);
    const then = await first.next();
    expect(pipelined - pipelinedBefore).toBe(1);
    expect(answerOf(o).approved).toBe(true);
    expect(then[1].status).toBe('fulfilled');
    expect(then[3]).toMatchObject({ status: 'rejected', reason: { message: 'a unit that throws' } });
    // 35 (reversed) + 35 + 35 + 35 (the exceed) = 105 held; the last one declined.
    expect([0, 2, 4, 5, 6].map((i) => answerOf(then[i]).responseCode)).toEqual(['00', '00', '00', '00', '51']);
    const after = await account(a.card.accountId);
    expect(after.held_fils).toBe(105_000);
    expect(after.over_limit_used).toBe(1);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('a write deferred ahead of a statement not yet parsed on the lane\'s connection: the batch commits in its first run, no unit fails', async () => {
    // A new instance: its pool's connections have parsed nothing yet.
    const fresh = await Harness.create({ backend: 'postgres', joining: h });
    const seen: PgBatchStats[] = [];
    pgGroupCommitFor(fresh.deps.handle)!.observe((s) => seen.push(s));
    try {
      const [a, b] = await cardholders(2);
      // a's write is the first of its shape (sent at once, parsed); b's, the same shape, waits;
      // b's second authorization reads on its own, with a statement this connection never ran.
      const units = [request(a, { amount: 1_000 }), request(b, { amount: 1_000 }), request(b, { amount: 2_000 })].map((r) => purchase(r, fresh));
      const outcomes = await Promise.allSettled(units.map((u) => u()));
      expect(codes(outcomes)).toEqual(['00', '00', '00']);
      expect(seen).toMatchObject([{ size: 3, failed: 0, rerun: false }]);
      expect((await account(b.card.accountId)).held_fils).toBe(3_000);
      await invariantsHold([a.card.accountId, b.card.accountId]);
    } finally {
      await fresh.close();
    }
  });

  it('rounds of purchases and reversals on two instances and both lanes each, every batch queued behind another: the ledger, the limit and the exceed hold', async () => {
    const holders = await cardholders(3);
    // The replacement shares the account of the card it replaces: two cards (two lanes' worth of keys) on one account.
    const replaced = await h.banking(holders[0].token, 'POST', `/v1/banking/cards/${holders[0].card.id}/replace`, { otp: await h.otp(holders[0].totpSecret) });
    expect(replaced.status).toBe(201);
    const cards: Card[] = [await h.cardDetails(replaced.body.id), holders[1], holders[2]];
    const approvals: string[] = [];
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const amounts = [1_000, 15_000, 35_000, 60_000];
    const pipelinedBefore = pipelined;
    for (let round = 0; round < 6; round++) {
      const known = [...approvals];
      const next = (on: Harness, lane: string): Unit[] => Array.from({ length: 4 }, () => {
        if (known.length && rand(4) === 0) {
          const id = known[rand(known.length)];
          return other((trx) => reverse(trx, on.deps, { authorizationId: id, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() }, NETWORK_KEY_ID), on, lane);
        }
        return purchase(request(cards[rand(3)], { amount: amounts[rand(4)] }), on, lane);
      });
      const chains = [h, second].flatMap((on) => ['attack', otherLaneKey(on)].map((lane) =>
        chained(request(cards[rand(3)], { amount: amounts[rand(4)] }), () => next(on, lane), on, lane)));
      const firsts = await Promise.allSettled(chains.map((c) => c.unit()));
      const thens = (await Promise.all(chains.map((c) => c.next()))).flat();
      for (const o of [...firsts, ...thens]) {
        expect(o.status).toBe('fulfilled');
        const value = (o as PromiseFulfilledResult<unknown>).value as Partial<AuthorizeOutcome>;
        if (value.response?.approved && value.response.authorizationId) approvals.push(value.response.authorizationId);
      }
    }
    expect(pipelined - pipelinedBefore).toBeGreaterThan(0);
    await invariantsHold(holders.map((x) => x.card.accountId));
  }, 60_000);

  it('a unit that swallows its statement\'s error, last in a batch whose COMMIT carries the next read: nothing is told it committed, the next batch begins on its own', async () => {
    const [a, b, c] = await cardholders(3);
    const swallowed: unknown[] = [];
    const first = chained(request(a, { amount: 1_000 }), () => [purchase(request(b, { amount: 1_000 })), purchase(request(c, { amount: 1_000 }))]);
    const swallowing = other(async (trx) => {
      try { await sql`select 1 / 0`.execute(trx); } catch (error) { swallowed.push(error); }
      return 'swallowed';
    });
    await warmLane();
    const pipelinedBefore = pipelined;
    const before = batches.length;
    const outcomes = await Promise.allSettled([first.unit, swallowing].map((u) => u()));
    const then = await first.next();
    expect(swallowed.length).toBeGreaterThan(0);
    // The COMMIT carried the next read, was answered ROLLBACK, and the batch ran again with savepoints.
    expect(pipelined - pipelinedBefore).toBe(1);
    expect(batches.slice(before)).toMatchObject([{ size: 2, failed: 1, rerun: true }, { size: 2, failed: 0 }]);
    expect(answerOf(outcomes[0]).approved).toBe(true);
    // In its savepoint the swallowed error still aborts the subtransaction: the unit fails alone.
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: '25P02' } });
    expect(codes(then)).toEqual(['00', '00']);
    for (const x of [a, b, c]) expect((await account(x.card.accountId)).held_fils).toBe(1_000);
    await invariantsHold([a, b, c].map((x) => x.card.accountId));
  });

  it('an advice in the batch begun ahead, before purchases on its card: the same answers as one at a time', async () => {
    const [a, c, serialA, serialC] = await cardholders(4);
    const advice = (card: Card, amount: number): Unit => other((trx) => advise(trx, h.deps, {
      request: AuthorizationAdviceRequestSchema.parse({ ...h.purchase(card, { amount }), mti: '0120', responseCode: '00' }), networkClient: NETWORK_KEY_ID,
    }));
    const plan = (x: Card, y: Card): Unit[] => [
      purchase(request(y, { amount: 10_000 })), advice(y, 95_000), purchase(request(y, { amount: 10_000 })),
      purchase(request(x, { amount: 1_000 })), purchase(request(y, { amount: 1_000 })),
    ];
    const code = (o: PromiseSettledResult<unknown>) => {
      if (o.status === 'rejected') throw o.reason;
      const v = o.value as { response?: { responseCode: string; overLimit?: boolean }; responseCode?: string };
      return v.response ? `${v.response.responseCode}${v.response.overLimit ? '+over' : ''}` : v.responseCode;
    };
    const serial: Array<string | undefined> = [];
    for (const u of [purchase(request(serialA, { amount: 1_000 })), ...plan(serialA, serialC)]) serial.push(code((await Promise.allSettled([u()]))[0]));
    await warmLane();
    const pipelinedBefore = pipelined;
    // The advice takes the line past the limit: the purchases on its card after it are declined.
    expect(serial).toEqual(['00', '00', '00', '51', '00', '51']);
    const first = chained(request(a, { amount: 1_000 }), () => plan(a, c));
    const outcomes = await Promise.allSettled([first.unit()]);
    const then = await first.next();
    expect(pipelined - pipelinedBefore).toBe(1);
    expect([...outcomes, ...then].map(code)).toEqual(serial);
    expect((await account(c.card.accountId)).held_fils).toBe((await account(serialC.card.accountId)).held_fils);
    expect((await account(c.card.accountId)).over_limit_used).toBe((await account(serialC.card.accountId)).over_limit_used);
    await invariantsHold([a, c].map((x) => x.card.accountId));
  });

  it('the lane\'s connection lost while the next batch\'s read waits on a lock: a batch that committed is answered as committed', async () => {
    const [a, b, c] = await cardholders(3);
    const { blocker, first, answered, end } = await nextReadBlocked(a, b, c);
    try {
      // The network between the service and PostgreSQL fails (a proxy restarts, a failover): the
      // socket closes with no word from the server.
      await new Promise((r) => setTimeout(r, 50));
      (pipelinedOn as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      await blocker.query('rollback');
      const [o] = await answered;
      // Its COMMIT had been answered: the caller is told so, not 91 for a hold that stands.
      expect(o.status).toBe('fulfilled');
      expect(answerOf(o).approved).toBe(true);
      for (const x of await first.next()) if (x.status === 'rejected') expect(isDatabaseUnavailable(x.reason)).toBe(true);
      await invariantsHold([a, b, c].map((x) => x.card.accountId));
    } finally {
      await end();
    }
  });

  it('the next batch\'s read cancelled after COMMIT while it waits on a lock: this batch answered as committed, the next begins again on its own and commits once', async () => {
    const [a, b, c] = await cardholders(3);
    const { pid, blocker, watcher, nextRequests, first, answered, end } = await nextReadBlocked(a, b, c);
    try {
      await watcher.query('select pg_cancel_backend($1)', [pid]);
      const [o] = await answered;
      expect(answerOf(o).approved).toBe(true);
      // The next batch's own read waits for b's account again; released, it commits.
      await new Promise((r) => setTimeout(r, 100));
      await blocker.query('rollback');
      const then = await first.next();
      expect(codes(then)).toEqual(['00', '00']);
      for (const r of nextRequests) {
        const rows = await h.deps.handle.db.selectFrom('authorizations').select('id').where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, r)).execute();
        expect(rows).toHaveLength(1);
      }
      for (const x of [a, b, c]) expect((await account(x.card.accountId)).held_fils).toBe(1_000);
      await invariantsHold([a, b, c].map((x) => x.card.accountId));
    } finally {
      await end();
    }
  });

  it('the lane\'s connection killed inside the batch begun ahead, before its COMMIT: none of it commits, each of its callers is told the database is unavailable', async () => {
    const [a, b, c] = await cardholders(3);
    await warmLane();
    const watcher = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await watcher.connect();
    try {
      const victim = request(b, { amount: 1_000 });
      const nextRequests = [victim, request(c, { amount: 1_000 }), request(a, { amount: 2_000 })];
      let killed = false;
      const killing: Unit = () => runNetworkVerb(h.deps, async (trx) => {
        if (!killed) {
          killed = true;
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await watcher.query('select pg_terminate_backend($1)', [rows[0].pid]);
        }
        return authorizeOn(h, victim)(trx);
      }, 'attack', hintOf(h, victim));
      const pipelinedBefore = pipelined;
      const first = chained(request(a, { amount: 1_000 }), () => [killing, ...nextRequests.slice(1).map((r) => purchase(r))]);
      const [o] = await Promise.allSettled([first.unit()]);
      const then = await first.next();
      expect(pipelined - pipelinedBefore).toBe(1);
      expect(answerOf(o).approved).toBe(true);
      expect(killed).toBe(true);
      for (const x of then) expect(x.status === 'rejected' && isDatabaseUnavailable(x.reason)).toBe(true);
      for (const r of nextRequests) {
        const rows = await h.deps.handle.db.selectFrom('authorizations').select('id').where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, r)).execute();
        expect(rows).toHaveLength(0);
      }
      expect((await account(a.card.accountId)).held_fils).toBe(1_000);
      const again = await Promise.allSettled(nextRequests.map((r) => purchase({ ...r })()));
      expect(codes(again)).toEqual(['00', '00', '00']);
      await invariantsHold([a, b, c].map((x) => x.card.accountId));
    } finally {
      await watcher.end();
    }
  });

  it('an original on one instance and its retransmissions in the next batches of the other\'s lanes, begun with their COMMITs: one hold, one answer', async () => {
    const [a, b, c] = await cardholders(3);
    await warmLane();
    const original = request(b, { amount: 30_000 });
    const firsts = [
      chained(request(a, { amount: 1_000 }), () => [purchase({ ...original }), purchase(request(c, { amount: 1_000 }))], h, 'attack'),
      chained(request(c, { amount: 1_000 }), () => [purchase({ ...original }, second), purchase(request(a, { amount: 1_000 }), second)], second, 'attack'),
    ];
    const outcomes = await Promise.allSettled([...firsts.map((f) => f.unit()), purchase({ ...original }, second, otherLaneKey(second))()]);
    const thens = (await Promise.all(firsts.map((f) => f.next()))).flat();
    const answers = [outcomes[2], thens[0], thens[2]].map(answerOf);
    expect(answers[0]).toMatchObject({ approved: true });
    for (const x of answers) expect(x).toEqual(answers[0]);
    const rows = await h.deps.handle.db.selectFrom('authorizations').select('id')
      .where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, original)).execute();
    expect(rows).toHaveLength(1);
    expect((await account(b.card.accountId)).held_fils).toBe(30_000);
    await invariantsHold([a, b, c].map((x) => x.card.accountId));
  });

  describe('a write the database refuses at COMMIT', () => {
    beforeAll(async () => {
      await sql.raw(`create function refuse_poison() returns trigger language plpgsql as $$ begin
          if new.merchant_name = 'Poison Shop' then raise exception 'refused' using errcode = '23514'; end if; return new; end $$;
        create trigger refuse_poison before insert on authorizations for each row execute function refuse_poison()`).execute(h.deps.handle.db);
    });
    afterAll(async () => {
      await sql.raw('drop trigger refuse_poison on authorizations; drop function refuse_poison()').execute(h.deps.handle.db);
    });

    it('in the batch whose COMMIT carries the next one\'s read, and in that next one: only the refused units fail, every other commits once', async () => {
      const [a, b, c] = await cardholders(3);
      const poison = { merchantName: 'Poison Shop' };
      const pipelinedBefore = pipelined;
      const first = chained(request(a, { amount: 1_000 }), () => [
        purchase(request(a, { amount: 3_000 })), purchase(request(b, { amount: 1_000, ...poison })), purchase(request(c, { amount: 1_000 })),
      ]);
      const outcomes = await Promise.allSettled([first.unit, purchase(request(b, { amount: 1_000, ...poison })), purchase(request(a, { amount: 2_000 }))].map((u) => u()));
      const then = await first.next();
      // The first COMMIT failed (the refused write went with it), so the next batch began on its own.
      expect(pipelined - pipelinedBefore).toBe(0);
      expect(answerOf(outcomes[0]).approved).toBe(true);
      expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: '23514' } });
      expect(answerOf(outcomes[2]).approved).toBe(true);
      expect(answerOf(then[0]).approved).toBe(true);
      expect(then[1]).toMatchObject({ status: 'rejected', reason: { code: '23514' } });
      expect(answerOf(then[2]).approved).toBe(true);
      expect((await account(a.card.accountId)).held_fils).toBe(6_000);
      expect((await account(b.card.accountId)).held_fils).toBe(0);
      expect((await account(c.card.accountId)).held_fils).toBe(1_000);
      await invariantsHold([a, b, c].map((x) => x.card.accountId));
    });
  });

  it('the lane\'s connection killed after COMMIT while the next batch\'s read waits on a lock: the committed batch answered as committed, the next failed as unavailable or committed, nothing half done', async () => {
    const [a, b, c] = await cardholders(3);
    const { pid, blocker, watcher, nextRequests, first, answered, end } = await nextReadBlocked(a, b, c);
    try {
      await watcher.query('select pg_terminate_backend($1)', [pid]);
      await blocker.query('rollback');
      const [o] = await answered;
      expect(answerOf(o).approved).toBe(true);
      const then = await first.next();
      for (const [i, r] of nextRequests.entries()) {
        const rows = await h.deps.handle.db.selectFrom('authorizations').select('id').where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, r)).execute();
        const outcome = then[i];
        if (outcome.status === 'rejected') {
          expect(isDatabaseUnavailable(outcome.reason)).toBe(true);
          expect(rows).toHaveLength(0);
        } else {
          expect(answerOf(outcome).approved).toBe(true);
          expect(rows).toHaveLength(1);
        }
      }
      expect((await account(a.card.accountId)).held_fils).toBe(1_000);
      // The lane works on: a fresh connection for its next batch.
      const again = await Promise.allSettled([purchase(request(b, { amount: 500 }))(), purchase(request(c, { amount: 500 }))()]);
      expect(codes(again)).toEqual(['00', '00']);
      await invariantsHold([a, b, c].map((x) => x.card.accountId));
    } finally {
      await end();
    }
  });
});
