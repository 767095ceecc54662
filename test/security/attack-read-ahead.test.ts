// Attacks on a PostgreSQL batch's read ahead (docs/decisions/0074-pg-batch-read-ahead.md,
// store/authorization-reads.repository.ts): a batch's authorizations read their cards and accounts
// in one statement before any of them runs, and a unit keeps its read only while nothing before it
// in the batch can have changed it. Here units of one batch read the same card, two cards of one
// account, the same idempotency key; a reversal, an advice or a failing unit runs among them; a
// cardholder's freeze and a second instance race them. Each test asserts a SPEC §3-4 invariant:
// the over-limit allowance spent once, held = the open holds (ledger check), one hold per key and
// the first answer replayed, card-testing failures counted exactly, a frozen card declined, the
// account's chains linear and the audit log verified.
//
// Units are put in one batch by running them on one lane (runNetworkVerb's `lane`), in one turn of
// the event loop, with the hint the network route gives (authorization-worker.ts, readHint):
// cards of one account share a lane by chance in production (the lane is a hash of the PAN).
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationAdviceRequestSchema, AuthorizationRequestSchema } from '../../src/http/network/schemas.js';
import { pgGroupCommitFor, type PgBatchStats } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { advise } from '../../src/service/network/advise.js';
import { authorize, type AuthorizeOutcome } from '../../src/service/network/authorize.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { reverse } from '../../src/service/network/reverse.js';
import type { AuthorizationReadHint } from '../../src/store/authorization-reads.repository.js';
import type { Trx } from '../../src/store/db.js';
import { BURST_ENV, cardTestingState, wrongCvv2 } from '../support/card-testing.js';
import { Harness, NETWORK_KEY_ID } from '../support/harness.js';
import { expectAccountInvariants } from '../support/ledger-check.js';

const onPostgres = !!process.env.TEST_DATABASE_URL;
const LIMIT_FILS = 100_000;
const MARGIN_FILS = 20_000; // the default product's 20 %

type Holder = Awaited<ReturnType<Harness['cardholder']>>;
type Card = { pan: string; expiry: string; cvv2: string };
type Unit = () => Promise<unknown>;

describe.skipIf(!onPostgres)('attacks on a PostgreSQL batch\'s read ahead', () => {
  let h: Harness;
  let second: Harness;
  const batches: PgBatchStats[] = [];

  // Reads ahead sent at the pg client, to show each attack went through one.
  let readsAhead = 0;
  const query = pg.Client.prototype.query;
  beforeAll(async () => {
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string } | undefined;
      const text = typeof q === 'string' ? q : q?.text ?? '';
      if (/any\(\$1::text\[\]\)/.test(text) && /pg_advisory_xact_lock/.test(text)) readsAhead++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    h = await Harness.create({ backend: 'postgres', env: BURST_ENV });
    second = await Harness.create({ backend: 'postgres', env: BURST_ENV, joining: h });
    for (const each of [h, second]) pgGroupCommitFor(each.deps.handle)!.observe((s) => batches.push(s));
    // The acquirer's permission cached on both instances: later requests join their batch at once.
    const warm = await h.cardholder();
    expect((await h.authorize(warm, { amount: 100 })).body.approved).toBe(true);
    expect((await second.network('/v1/network/authorizations', h.purchase(warm, { amount: 100 }))).body.approved).toBe(true);
  }, 60_000);
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await second?.close();
    await h?.close();
  });

  // Requests are always made by `h`: its STAN counter is the one both instances' keys come from.
  const request = (card: Card, overrides: Record<string, unknown> = {}) => AuthorizationRequestSchema.parse(h.purchase(card, overrides));
  const hintOf = (on: Harness, r: ReturnType<typeof request>): AuthorizationReadHint =>
    ({ key: idempotencyKey(NETWORK_KEY_ID, r), fingerprint: on.deps.keyring.fingerprint(r.pan) });

  /** An authorization as the network route runs it, on `lane`. */
  const purchase = (r: ReturnType<typeof request>, on: Harness = h, lane = 'attack'): Unit => () =>
    runNetworkVerb(on.deps, (trx) => authorize(trx, on.deps, { request: r, networkClient: NETWORK_KEY_ID }), lane, hintOf(on, r));
  /** A unit of another kind (no hint), on `lane`. */
  const other = <T>(work: (trx: Trx) => Promise<T>, on: Harness = h, lane = 'attack'): Unit => () => runNetworkVerb(on.deps, work, lane);
  const reversal = (authorizationId: string, on: Harness = h, lane = 'attack') => other((trx) => reverse(trx, on.deps,
    { authorizationId, stan: h.nextStan(), transmissionTime: new Date(h.clock.now()).toISOString() }, NETWORK_KEY_ID), on, lane);

  /** Runs the units in one turn of the event loop (one batch per lane and instance); their outcomes in order. */
  async function together(units: Unit[]): Promise<{ outcomes: PromiseSettledResult<unknown>[]; stats: PgBatchStats[]; readsAhead: number }> {
    const before = batches.length;
    const readBefore = readsAhead;
    const outcomes = await Promise.allSettled(units.map((u) => u()));
    return { outcomes, stats: batches.slice(before), readsAhead: readsAhead - readBefore };
  }
  const answerOf = (o: PromiseSettledResult<unknown>) => {
    if (o.status === 'rejected') throw o.reason;
    return (o.value as AuthorizeOutcome).response;
  };

  /** Cardholders made one after another (each enrolment moves the shared clock a TOTP step). */
  async function cardholders(n: number): Promise<Holder[]> {
    const out: Holder[] = [];
    for (let i = 0; i < n; i++) out.push(await h.cardholder(LIMIT_FILS));
    return out;
  }

  const invariantsHold = (accountIds: string[]) => expectAccountInvariants(h.deps.handle, accountIds, LIMIT_FILS + MARGIN_FILS, h.clock.now());

  const account = (id: string) => h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('one card twelve times in one batch beside other cards: the same answers as one at a time, the exceed spent once', async () => {
    const [a, b, serialA, serialB] = await cardholders(4);
    const plan = (x: Card, y: Card) => Array.from({ length: 12 }, (_, i) => [
      { card: x, amount: 35_000 }, ...(i % 3 === 0 ? [{ card: y, amount: 1_000 }] : []),
    ]).flat();
    const serial: string[] = [];
    for (const p of plan(serialA, serialB)) serial.push((await h.authorize(p.card, { amount: p.amount })).body.responseCode);
    const { outcomes, stats, readsAhead } = await together(plan(a, b).map((p) => purchase(request(p.card, { amount: p.amount }))));
    expect(stats.map((s) => s.size)).toEqual([outcomes.length]);
    expect(readsAhead).toBe(1);
    expect(outcomes.map((o) => answerOf(o).responseCode)).toEqual(serial);
    expect((await account(a.card.accountId)).held_fils).toBe(105_000);
    expect((await account(a.card.accountId)).over_limit_used).toBe(1);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('the replaced card and its replacement (one account) in one batch: every unit sees the one before it', async () => {
    const [a, b] = await cardholders(2);
    const replaced = await h.banking(a.token, 'POST', `/v1/banking/cards/${a.card.id}/replace`, { otp: await h.otp(a.totpSecret) });
    expect(replaced.status).toBe(201);
    const fresh = await h.cardDetails(replaced.body.id);
    // The old number is declined (14) but still moves the account's heads; the new one spends the line.
    const units = [
      purchase(request(fresh, { amount: 35_000 })), purchase(request(a, { amount: 1_000 })),
      purchase(request(b, { amount: 1_000 })), purchase(request(fresh, { amount: 35_000 })),
      purchase(request(a, { amount: 1_000, cvv2: wrongCvv2(a.cvv2) })), purchase(request(fresh, { amount: 35_000 })),
      purchase(request(fresh, { amount: 35_000 })), purchase(request(a, { amount: 1_000 })),
    ];
    const { outcomes, stats, readsAhead } = await together(units);
    expect(stats.map((s) => s.size)).toEqual([units.length]);
    expect(readsAhead).toBe(1);
    expect(outcomes.map((o) => answerOf(o).responseCode)).toEqual(['00', '14', '00', '00', '14', '00', '51', '14']);
    const after = await account(a.card.accountId);
    expect(after.held_fils).toBe(105_000);
    expect(after.over_limit_used).toBe(1);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });
  it('retransmissions inside one batch, around other cards: one hold, the first answer each time, 94 for other content', async () => {
    const [a, b, c] = await cardholders(3);
    const original = request(a, { amount: 20_000 });
    const changed = { ...original, amount: 21_000 };
    // The same key on another card (the key names no PAN), whose account no unit before it read.
    const elsewhere = { ...original, pan: c.pan, expiry: c.expiry, cvv2: c.cvv2 };
    const units = [
      purchase(original), purchase(request(b, { amount: 1_000 })), purchase({ ...original }), purchase(changed),
      purchase(request(a, { amount: 1_000 })), purchase({ ...original }), purchase(request(b, { amount: 1_000 })), purchase(elsewhere),
    ];
    const { outcomes, stats, readsAhead } = await together(units);
    // Each retransmission reads its original in the batch, none meets the unique key (no run with savepoints).
    expect(stats).toMatchObject([{ size: units.length, rerun: false }]);
    expect(readsAhead).toBe(1);
    const answers = outcomes.map(answerOf);
    for (const i of [2, 5]) expect(answers[i]).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ approved: true });
    expect(answers[3].responseCode).toBe('94');
    expect(answers[7]).toMatchObject({ responseCode: '94', approved: false });
    expect((await account(b.card.accountId)).held_fils).toBe(2_000);
    expect((await account(c.card.accountId)).held_fils).toBe(0);
    const rows = await h.deps.handle.db.selectFrom('authorizations').select('id')
      .where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, original)).execute();
    expect(rows).toHaveLength(1);
    expect((await account(a.card.accountId)).held_fils).toBe(21_000);
    await invariantsHold([a, b, c].map((x) => x.card.accountId));
  });

  it('a retransmission on another instance whose read ahead waited for the original\'s commit: the same answer, one hold', async () => {
    const [a, b, c] = await cardholders(3);
    const original = request(a, { amount: 30_000 });
    // The account locked elsewhere, so that both reads ahead start (their snapshots taken) before either original commits.
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const blocker = h.deps.handle.db.transaction().execute(async (trx) => {
      await trx.selectFrom('card_accounts').select('id').where('id', '=', a.card.accountId).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    const readBefore = readsAhead;
    const first = together([purchase(original, h), purchase(request(b, { amount: 1_000 }), h)]);
    const again = together([purchase({ ...original }, second), purchase(request(c, { amount: 1_000 }), second)]);
    // (pg_stat_activity keeps the statement's first KB: its beginning names it.)
    for (let waited = 0; waited < 5_000; waited += 50) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'with "r" as materialized%'`.execute(h.deps.handle.db);
      if (waiting.rows[0].n >= 2) break;
      await sleep(50);
    }
    release();
    await blocker;
    const [one, two] = await Promise.all([first, again]);
    expect(readsAhead - readBefore).toBe(2);
    const answers = [answerOf(one.outcomes[0]), answerOf(two.outcomes[0])];
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ approved: true });
    // The later one read no original (its snapshot predates it), met the unique key and ran again with savepoints.
    expect([...one.stats, ...two.stats].some((s) => s.rerun)).toBe(true);
    const rows = await h.deps.handle.db.selectFrom('authorizations').select('id')
      .where('idempotency_key', '=', idempotencyKey(NETWORK_KEY_ID, original)).execute();
    expect(rows).toHaveLength(1);
    expect((await account(a.card.accountId)).held_fils).toBe(30_000);
    await invariantsHold([a.card.accountId, b.card.accountId, c.card.accountId]);
  });

  it('wrong CVV2s, a right one and a frozen card in one batch: counted as one at a time, frozen once, then declined', async () => {
    const [a, b, serialA, serialB] = await cardholders(4);
    const plan = (x: Holder, y: Holder) => [
      ...[0, 1, 2].map((i) => ({ card: x, cvv2: wrongCvv2(x.cvv2, i) })), { card: x, cvv2: x.cvv2 }, { card: y, cvv2: y.cvv2 },
      ...[3, 4, 5, 6].map((i) => ({ card: x, cvv2: wrongCvv2(x.cvv2, i) })), { card: y, cvv2: y.cvv2 },
      { card: x, cvv2: wrongCvv2(x.cvv2, 7) }, { card: x, cvv2: x.cvv2 }, { card: x, cvv2: wrongCvv2(x.cvv2, 8) },
    ];
    const serial: string[] = [];
    for (const p of plan(serialA, serialB)) serial.push((await h.authorize(p.card, { amount: 1_000, cvv2: p.cvv2 })).body.responseCode);
    const { outcomes, stats, readsAhead } = await together(plan(a, b).map((p) => purchase(request(p.card, { amount: 1_000, cvv2: p.cvv2 }))));
    expect(stats.map((s) => s.size)).toEqual([outcomes.length]);
    expect(readsAhead).toBe(1);
    expect(outcomes.map((o) => answerOf(o).responseCode)).toEqual(serial);
    expect(serial.slice(-2)).toEqual(['62', '62']);
    expect(await cardTestingState(h, a.card.id)).toEqual(await cardTestingState(h, serialA.card.id));
    expect(await cardTestingState(h, a.card.id)).toMatchObject({ status: 'frozen', status_reason: 'card_testing' });
    const frozen = await h.deps.handle.db.selectFrom('audit_log').select('id').where('action', '=', 'card.frozen').where('subject', '=', a.card.id).execute();
    expect(frozen).toHaveLength(1);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('wrong CVV2s on one card in batches of two instances at once: every failure counted', async () => {
    const [a, b, c] = await cardholders(3);
    const wrong = (i: number, on: Harness) => purchase(request(a, { amount: 1_000, cvv2: wrongCvv2(a.cvv2, i) }), on);
    const readBefore = readsAhead;
    const [one, two] = await Promise.all([
      together([wrong(0, h), purchase(request(b, { amount: 1_000 }), h), wrong(1, h)]),
      together([purchase(request(c, { amount: 1_000 }), second), wrong(2, second), wrong(3, second)]),
    ]);
    expect(readsAhead - readBefore).toBe(2);
    expect([...one.outcomes, ...two.outcomes].map((o) => answerOf(o).responseCode).sort()).toEqual(['00', '00', 'N7', 'N7', 'N7', 'N7']);
    expect(await cardTestingState(h, a.card.id)).toMatchObject({ status: 'active', verification_failures: 4 });
    // The fifth, on either instance, freezes it.
    const [fifth] = (await together([wrong(4, second), purchase(request(c, { amount: 1_000 }), second)])).outcomes;
    expect(answerOf(fifth).responseCode).toBe('N7');
    expect(await cardTestingState(h, a.card.id)).toMatchObject({ status: 'frozen', verification_failures: 5 });
    await invariantsHold([a.card.accountId, b.card.accountId, c.card.accountId]);
  });
  const advice = (card: Card, amount: number, on: Harness = h) => other((trx) => advise(trx, on.deps, {
    request: AuthorizationAdviceRequestSchema.parse({ ...h.purchase(card, { amount }), mti: '0120', responseCode: '00' }), networkClient: NETWORK_KEY_ID,
  }), on);

  it('a reversal or an advice in the batch: the authorizations after it see what it changed', async () => {
    const [a, b, c, d] = await cardholders(4);
    const overA = await h.authorize(a, { amount: 110_000 });
    const overD = await h.authorize(d, { amount: 110_000 });
    expect([overA.body.overLimit, overD.body.overLimit]).toEqual([true, true]);
    const units = [
      // Reversed first: the line and the allowance are back for the purchase after it.
      reversal(overA.body.authorizationId), purchase(request(a, { amount: 110_000 })), purchase(request(b, { amount: 1_000 })),
      purchase(request(a, { amount: 5_000 })),
      // An approval in stand-in past most of the line: the purchase after it would pass on the line as read ahead.
      advice(c, 100_000), purchase(request(c, { amount: 25_000 })),
      // Declined before the reversal (the allowance spent), approved over the limit after it.
      purchase(request(d, { amount: 110_000 })), reversal(overD.body.authorizationId), purchase(request(d, { amount: 110_000 })),
    ];
    const { outcomes, stats, readsAhead } = await together(units);
    expect(stats.map((s) => s.size)).toEqual([units.length]);
    expect(readsAhead).toBe(1);
    const codes = outcomes.map((o) => {
      if (o.status === 'rejected') throw o.reason;
      const v = o.value as { response?: { responseCode: string; overLimit?: boolean }; responseCode?: string };
      return v.response ? `${v.response.responseCode}${v.response.overLimit ? '+over' : ''}` : v.responseCode;
    });
    expect(codes).toEqual(['00', '00+over', '00', '51', '00', '51', '51', '00', '00+over']);
    expect((await account(a.card.accountId)).held_fils).toBe(110_000);
    expect((await account(c.card.accountId)).held_fils).toBe(100_000);
    expect((await account(d.card.accountId)).held_fils).toBe(110_000);
    await invariantsHold([a, b, c, d].map((x) => x.card.accountId));
  });

  it('units that fail after the read ahead took its locks: the batch runs again with savepoints, each authorization once', async () => {
    const [a, b] = await cardholders(2);
    // An authorization that writes and then fails, reading ahead like any other.
    const failing = (r: ReturnType<typeof request>): Unit => () => runNetworkVerb(h.deps, async (trx) => {
      await authorize(trx, h.deps, { request: r, networkClient: NETWORK_KEY_ID });
      throw new Error('the unit fails after its writes');
    }, 'attack', hintOf(h, r));
    const first = request(a, { amount: 30_000 });
    const units = [
      failing(request(a, { amount: 50_000 })), purchase(first), purchase(request(b, { amount: 1_000 })),
      other(async () => { throw new Error('a unit of another kind fails'); }), purchase(request(a, { amount: 30_000 })),
      purchase({ ...first }), purchase(request(a, { amount: 1_000, cvv2: wrongCvv2(a.cvv2) })), failing(request(a, { amount: 1_000, cvv2: wrongCvv2(a.cvv2, 1) })),
    ];
    const { outcomes, stats, readsAhead } = await together(units);
    expect(stats).toMatchObject([{ size: units.length, rerun: true, failed: 3, retries: 0 }]);
    expect(readsAhead).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect([1, 2, 4, 6].map((i) => answerOf(outcomes[i]).responseCode)).toEqual(['00', '00', '00', 'N7']);
    expect(answerOf(outcomes[5])).toEqual(answerOf(outcomes[1]));
    expect((await account(a.card.accountId)).held_fils).toBe(60_000);
    expect(await cardTestingState(h, a.card.id)).toMatchObject({ status: 'active', verification_failures: 1 });
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  // The cardholder's freeze locks the account first; the bank's block locks only the card (then its chain).
  const stops = [
    { who: 'the cardholder freezes', action: 'card.freeze', stop: (x: Holder) => h.banking(x.token, 'POST', `/v1/banking/cards/${x.card.id}/freeze`) },
    { who: 'the bank blocks', action: 'card.blocked', stop: (x: Holder) => h.admin('POST', `/v1/admin/cards/${x.card.id}/block`, { reason: 'fraud' }) },
  ];
  it.each(stops)('$who the card while batches on both instances authorize on it: nothing approved on it after that', async ({ action, stop }) => {
    const [a, b] = await cardholders(2);
    const waves: Array<Promise<unknown>> = [];
    let stopped: Promise<{ status: number }> | undefined;
    for (let wave = 0; wave < 6; wave++) {
      const on = wave % 2 ? second : h;
      // One batch per lane and instance: six batches in flight at once, contending for the account.
      const units = [purchase(request(a, { amount: 100 }), on, `attack-${wave}`), purchase(request(b, { amount: 100 }), on, `attack-${wave}`),
        purchase(request(a, { amount: 100 }), on, `attack-${wave}`)];
      if (wave === 3) stopped = stop(a);
      waves.push(together(units));
    }
    await Promise.all(waves);
    expect((await stopped)!.status).toBe(200);
    // The account's audit chain orders the authorizations and the stop as they committed.
    const entries = await h.deps.handle.db.selectFrom('audit_log').select(['seq', 'action', 'after_state'])
      .where('account_id', '=', a.card.accountId).orderBy('stream').orderBy('seq').execute();
    const stoppedAt = entries.findIndex((e) => e.action === action);
    expect(stoppedAt).toBeGreaterThan(0);
    const onCard = (e: typeof entries[number]) => e.action.startsWith('authorization.') && JSON.parse(e.after_state ?? '{}').cardId === a.card.id;
    const codes = (from: number, to: number) => entries.slice(from, to).filter(onCard).map((e) => JSON.parse(e.after_state!).responseCode);
    expect(codes(0, stoppedAt).every((c) => c === '00')).toBe(true);
    expect(codes(stoppedAt + 1, entries.length).every((c) => c === '62')).toBe(true);
    expect(codes(0, entries.length)).toHaveLength(12);
    await invariantsHold([a.card.accountId, b.card.accountId]);
  });

  it('two instances, batches over the same accounts in opposite orders: no deadlock, every purchase once', async () => {
    const holders = await cardholders(4);
    const before = batches.length;
    const readBefore = readsAhead;
    for (let round = 0; round < 8; round++) {
      await Promise.all([
        together(holders.flatMap((x) => [purchase(request(x, { amount: 1_000 }), h), purchase(request(x, { amount: 1_000 }), h)])),
        together([...holders].reverse().map((x) => purchase(request(x, { amount: 1_000 }), second))),
      ]);
    }
    const ran = batches.slice(before);
    expect(readsAhead - readBefore).toBe(16);
    expect(ran.filter((s) => s.retries > 0 || s.alone)).toEqual([]);
    for (const x of holders) expect((await account(x.card.accountId)).held_fils).toBe(24_000);
    await invariantsHold(holders.map((x) => x.card.accountId));
  });

  it('reversals crossing two instances\' reads ahead (each locks an account the other read ahead): the deadlock runs a batch again, each request once', async () => {
    const [a, b, e, f] = await cardholders(4);
    const onA = await h.authorize(a, { amount: 10_000 });
    const onE = await h.authorize(e, { amount: 10_000 });
    const before = batches.length;
    const [one, two] = await Promise.all([
      together([purchase(request(a, { amount: 1_000 }), h), purchase(request(b, { amount: 1_000 }), h), reversal(onE.body.authorizationId, h)]),
      together([purchase(request(e, { amount: 1_000 }), second), purchase(request(f, { amount: 1_000 }), second), reversal(onA.body.authorizationId, second)]),
    ]);
    const answers = [...one.outcomes, ...two.outcomes].map((o) => {
      if (o.status === 'rejected') throw o.reason;
      const v = o.value as { response?: { approved: boolean }; approved?: boolean };
      return v.response?.approved ?? v.approved;
    });
    expect(answers).toEqual([true, true, true, true, true, true]);
    // Each batch committed once, whether or not it was the deadlock's victim.
    expect(batches.slice(before).map((s) => s.failed)).toEqual([0, 0]);
    for (const x of [a, b, e, f]) expect((await account(x.card.accountId)).held_fils).toBe(1_000);
    await invariantsHold([a, b, e, f].map((x) => x.card.accountId));
  }, 20_000);

  it('200 small purchases past the line on one account through both instances at once: the allowance spent by exactly one', async () => {
    const [a] = await cardholders(1);
    expect((await h.authorize(a, { amount: 95_000 })).body.approved).toBe(true);
    const readBefore = readsAhead;
    // 95 + 6 is past the line and within its margin: one may pass, once; 95 + 12 may not.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? second : h).network('/v1/network/authorizations', h.purchase(a, { amount: 6_000 }))));
    expect(readsAhead).toBeGreaterThan(readBefore);
    expect(answers.filter((x) => x.status !== 200)).toEqual([]);
    const approved = answers.filter((x) => x.body.approved);
    expect(approved).toHaveLength(1);
    expect(approved[0].body.overLimit).toBe(true);
    expect((await account(a.card.accountId)).held_fils).toBe(101_000);
    await invariantsHold([a.card.accountId]);
  }, 30_000);
});
