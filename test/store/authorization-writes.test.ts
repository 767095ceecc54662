// What an authorization writes once it has decided (store/authorization-writes.repository.ts): the
// hold's pending transfer, the account's move, the authorization row and its audit entry; on
// PostgreSQL in one statement after one read, so that an authorization is two round trips; the
// authorizations of one group-commit batch share one read ahead (authorization-reads.repository.ts).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuthorization } from '../../src/store/authorization-writes.repository.js';
import type { Trx } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/transaction.js';
import { forEachBackend } from '../support/backends.js';
import { Harness, NETWORK_KEY_ID } from '../support/harness.js';
import { authorizeNetworkRequest } from '../../src/runtime/authorization-worker.js';
import { pgGroupCommitFor } from '../../src/runtime/pg-group-commit.js';
import { runNetworkVerb } from '../../src/runtime/run-network-verb.js';
import { isValidPan } from '../../src/domain/pan.js';
import { AuthorizationRequestSchema } from '../../src/http/network/schemas.js';
import { useHarness } from '../support/use-harness.js';

forEachBackend((backend) => {
  const h = useHarness(backend);

  const accountOf = async (authorizationId: string) => (await h.deps.handle.db.selectFrom('authorizations').select('account_id')
    .where('id', '=', authorizationId).executeTakeFirstOrThrow()).account_id!;

  describe('writeAuthorization', () => {
    it('an approval: the pending transfer, the account\'s hold and chain heads, the row naming its transfer', async () => {
      const holder = await h.cardholder();
      const answer = await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 12_500 }));
      expect(answer.body).toMatchObject({ responseCode: '00', approved: true });
      const id = answer.body.authorizationId as string;
      const row = await h.deps.handle.db.selectFrom('authorizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const transfer = await h.deps.handle.db.selectFrom('ledger_transfers').selectAll().where('id', '=', row.hold_transfer_id!).executeTakeFirstOrThrow();
      expect(transfer).toMatchObject({ kind: 'pending', amount_fils: 12_500, reference: `authorization:${id}`, account_id: row.account_id });
      const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', row.account_id!).executeTakeFirstOrThrow();
      expect(account).toMatchObject({ held_fils: 12_500, last_authorization_id: id, last_notified_authorization_id: id, over_limit_used: 0 });
    });

    it('the approval over the limit spends the allowance; a decline after it moves only the heads', async () => {
      const holder = await h.cardholder();
      const over = await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 105_000 }));
      expect(over.body).toMatchObject({ responseCode: '00', overLimit: true });
      const declined = await h.network('/v1/network/authorizations', h.purchase(holder, { amount: 5_000 }));
      expect(declined.body).toMatchObject({ approved: false });
      const account = await h.deps.handle.db.selectFrom('card_accounts').selectAll().where('id', '=', (await accountOf(over.body.authorizationId))).executeTakeFirstOrThrow();
      expect(account).toMatchObject({ held_fils: 105_000, over_limit_used: 1, over_limit_auth_id: over.body.authorizationId, over_limit_used_at: h.clock.now(),
        last_authorization_id: declined.body.authorizationId, last_notified_authorization_id: over.body.authorizationId });
    });

    const entry = { accountId: 'ca_x', actorType: 'network', actorId: 'n', action: 'authorization.declined', nowMs: 0 } as const;
    it('refuses writes that do not belong together', async () => {
      await expect(inTransaction(h.deps.handle, (trx) => writeAuthorization(trx, backend, {
        transfer: { id: 'tr_x', account_id: null, kind: 'pending', pending_id: null, debit_account: 'a', credit_account: 'b', amount_fils: 1, reference: 'r', created_at: 0 },
        move: null, row: {} as never,
      }, entry))).rejects.toThrow('an approval moves its account');
      await expect(inTransaction(h.deps.handle, (trx) => writeAuthorization(trx, backend, {
        transfer: null, move: { id: 'ca_x', held: 0, authId: 'auth_x', at: 0, notifiedHead: null, overLimit: { enabled: true, used: true, usedByAuthorizationId: 'auth_x', usedAtMs: 0 } }, row: {} as never,
      }, entry))).rejects.toThrow('only an approval spends the over-limit allowance');
    });

    if (backend === 'postgres') {
      it('refuses to append to an audit chain the transaction has not locked: its head could be stale', async () => {
        const move = { id: 'ca_x', held: 0, authId: 'auth_x', at: 0, notifiedHead: null, overLimit: { enabled: true, used: false, usedByAuthorizationId: null, usedAtMs: null } };
        await expect(inTransaction(h.deps.handle, (trx) => writeAuthorization(trx, backend, { transfer: null, move, row: {} as never }, entry)))
          .rejects.toThrow('the audit chain account:ca_x is not locked by this transaction');
        await expect(inTransaction(h.deps.handle, (trx) => writeAuthorization(trx, backend, { transfer: null, move, row: {} as never }, entry, 'account:ca_y')))
          .rejects.toThrow('the audit chain account:ca_x is not locked by this transaction');
      });
    }
  });

  if (backend === 'postgres') {
    describe('round trips (PostgreSQL)', () => {
      // Recorded at the pg client: the pool's clients, made after this, run through it.
      const sent: string[] = [];
      let recording = false;
      const original = pg.Client.prototype.query;
      let own: Harness;
      beforeAll(async () => {
        pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
          const q = args[0] as string | { text: string | null; before?: Array<{ text: string }> };
          // One entry per round trip: a transaction's BEGIN may travel with its first statement, and
          // deferred writes ahead of the next statement or COMMIT (runtime/pg-direct.ts).
          if (recording) {
            sent.push(typeof q === 'string' ? q : [...(q.before ?? []).map((b) => b.text), ...(q.text === null ? [] : [q.text])].join('; '));
          }
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } as typeof original;
        own = await Harness.create({ backend });
      });
      afterAll(async () => {
        pg.Client.prototype.query = original;
        await own?.close();
      });
      const statementsOf = async (overrides: Record<string, unknown>) => {
        const holder = await own.cardholder();
        // The first on a pool client may differ (the statements are parsed there first, and a write
        // not yet parsed is sent at once rather than deferred).
        for (let i = 0; i < 3; i++) await own.authorize(holder, { ...overrides, amount: 1_000 });
        sent.length = 0;
        recording = true;
        try {
          const answer = await own.authorize(holder, overrides);
          // Wake-ups of event streams (pg_notify) go after a commit, on their own: not the authorization's.
          return { answer, sent: sent.filter((t) => !t.startsWith('select pg_notify(')) };
        } finally {
          recording = false;
        }
      };

      it('an approval sends begin with one read (which locks the audit chain), then one write (with the audit entry) with commit: 2 round trips', async () => {
        const { answer, sent } = await statementsOf({ amount: 1_000 });
        expect(answer.body.approved).toBe(true);
        // Index scans only (runtime/prepared.ts, indexScansOnly): the setting travels with BEGIN.
        expect(sent.filter((t) => /^begin; set local enable_seqscan = off; with "r" as materialized .*pg_advisory_xact_lock/s.test(t))).toHaveLength(1);
        expect(sent.filter((t) => /^with "hold" as \(insert into "ledger_transfers".*"audit_entry" as \(insert into "audit_log".*; commit$/s.test(t))).toHaveLength(1);
        expect(sent, sent.join('\n')).toHaveLength(2);
      });

      it('a decline on a known card: one write too, with commit', async () => {
        const { answer, sent } = await statementsOf({ amount: 1_000, posEntryMode: '051' });
        expect(answer.body.approved).toBe(false);
        expect(sent.filter((t) => /^with "move" as \(update "card_accounts".*"audit_entry" as \(insert into "audit_log".*; commit$/s.test(t))).toHaveLength(1);
        expect(sent, sent.join('\n')).toHaveLength(2);
      });

      // Cardholders whose cards share one lane of the group commit, so that requests made in one
      // turn of the event loop form one batch.
      const onOneLane = async (n: number) => {
        const gc = pgGroupCommitFor(own.deps.handle)!;
        const byLane = new Map<number, Awaited<ReturnType<Harness['cardholder']>>[]>();
        for (;;) {
          const holder = await own.cardholder();
          const lane = gc.laneOf(holder.pan);
          const holders = [...(byLane.get(lane) ?? []), holder];
          byLane.set(lane, holders);
          if (holders.length === n) {
            for (const each of holders) await own.authorize(each, { amount: 1_000 }); // warm, as above
            return holders;
          }
        }
      };
      const inOneBatch = async (requests: Array<{ card: { pan: string; expiry: string; cvv2: string }; amount: number }>, before?: (trx: Trx) => Promise<unknown>) => {
        sent.length = 0;
        recording = true;
        try {
          const ran = before ? [runNetworkVerb(own.deps, before, requests[0].card.pan)] : [];
          const answers = requests.map(({ card, amount }) => authorizeNetworkRequest(own.deps, {
            request: AuthorizationRequestSchema.parse(own.purchase(card, { amount })), networkClient: NETWORK_KEY_ID,
          }));
          await Promise.all(ran);
          return { answers: (await Promise.all(answers)).map((o) => o.response), sent: sent.filter((t) => !t.startsWith('select pg_notify(')) };
        } finally {
          recording = false;
        }
      };
      const readsAhead = (sent: string[]) => sent.filter((t) => /any\(\$1::text\[\]\)/.test(t) && /pg_advisory_xact_lock/.test(t));
      const readsAlone = (sent: string[]) => sent.filter((t) => /with "r" as materialized .*pg_advisory_xact_lock/s.test(t) && !/any\(/.test(t));

      it('a batch of authorizations on three cards: one read ahead for all (with begin), then a write each with commit: 2 round trips', async () => {
        const holders = await onOneLane(3);
        const { answers, sent } = await inOneBatch(holders.map((card) => ({ card, amount: 2_000 })));
        expect(answers.map((a) => a.approved)).toEqual([true, true, true]);
        expect(readsAhead(sent)).toHaveLength(1);
        expect(readsAlone(sent)).toHaveLength(0);
        // BEGIN goes alone while the read ahead is not yet parsed on the lane's connection (pg-direct.ts).
        const trips = sent.filter((t) => t !== 'begin; set local enable_seqscan = off');
        expect(trips, sent.join('\n')).toHaveLength(2);
        expect(trips[1].split('; ').map((t) => t.slice(0, 30))).toEqual([...Array(3).fill('with "hold" as (insert into "l'), 'commit']);
      });

      it('two batches in a row on a lane: the second one\'s BEGIN and read ahead go with the first one\'s COMMIT, 3 round trips for both', async () => {
        const holders = await onOneLane(6);
        sent.length = 0;
        recording = true;
        try {
          const authorizeOne = (card: (typeof holders)[number]) => authorizeNetworkRequest(own.deps, {
            request: AuthorizationRequestSchema.parse(own.purchase(card, { amount: 2_000 })), networkClient: NETWORK_KEY_ID,
          });
          const first = holders.slice(0, 3).map(authorizeOne);
          // The lane has taken the first three when the next three arrive.
          await new Promise((resolve) => setImmediate(resolve));
          const second = holders.slice(3).map(authorizeOne);
          const answers = (await Promise.all([...first, ...second])).map((o) => o.response.approved);
          expect(answers).toEqual([true, true, true, true, true, true]);
        } finally {
          recording = false;
        }
        const trips = sent.filter((t) => !t.startsWith('select pg_notify('));
        expect(trips.map((t) => t.split('; ').map((part) => part.slice(0, 16))), trips.join('\n')).toEqual([
          ['begin', 'set local enable', 'with "r" as mate'],
          [...Array(3).fill('with "hold" as ('), 'commit', 'begin', 'set local enable', 'with "r" as mate'],
          [...Array(3).fill('with "hold" as ('), 'commit'],
        ]);
        expect(readsAhead(trips)).toHaveLength(2);
      });

      it('a second authorization on a card in the same batch reads on its own and sees the first one\'s hold', async () => {
        const [first, other] = await onOneLane(2);
        // 60 + 60 KD on a 100 KD line: the second is beyond the one-time exceed's margin.
        const { answers, sent } = await inOneBatch([{ card: first, amount: 60_000 }, { card: first, amount: 60_000 }, { card: other, amount: 2_000 }]);
        expect(answers.map((a) => a.approved)).toEqual([true, false, true]);
        expect(readsAhead(sent)).toHaveLength(1);
        expect(readsAlone(sent)).toHaveLength(1);
        // The first one's write, deferred, goes ahead of the second one's read, in the same round trip.
        expect(readsAlone(sent)[0]).toMatch(/^with "hold" as \(insert into "ledger_transfers".*; with "r" as materialized/s);
        const account = await own.deps.handle.db.selectFrom('card_accounts').select('held_fils').where('id', '=', first.card.accountId).executeTakeFirstOrThrow();
        expect(account.held_fils).toBe(61_000);
      });

      it('an authorization on a PAN that cannot be a card does not keep the ones after it from the read ahead', async () => {
        const [first, other] = await onOneLane(2);
        // Fails the Luhn check (no card to read, no account to change), on the same lane as the others.
        const lane = pgGroupCommitFor(own.deps.handle)!.laneOf(first.pan);
        const pan = Array.from({ length: 100 }, (_, i) => `${first.pan.slice(0, -2)}${String(i).padStart(2, '0')}`)
          .find((p) => !isValidPan(p) && pgGroupCommitFor(own.deps.handle)!.laneOf(p) === lane)!;
        const impossible = { ...first, pan };
        const { answers, sent } = await inOneBatch([{ card: impossible, amount: 2_000 }, { card: first, amount: 2_000 }, { card: other, amount: 2_000 }]);
        expect(answers.map((a) => a.approved)).toEqual([false, true, true]);
        expect(answers[0].responseCode).toBe('14');
        expect(readsAhead(sent)).toHaveLength(1);
        expect(readsAlone(sent)).toHaveLength(0);
      });

      it('a unit of another kind before them in the batch: the authorizations read on their own and see what it changed', async () => {
        const [first, other] = await onOneLane(2);
        // A hold far beyond the line: any purchase on the card is then declined.
        const { answers, sent } = await inOneBatch([{ card: first, amount: 2_000 }, { card: other, amount: 2_000 }],
          (trx) => trx.updateTable('card_accounts').set({ held_fils: 300_000 }).where('id', '=', first.card.accountId).execute());
        expect(answers.map((a) => a.approved)).toEqual([false, true]);
        expect(readsAhead(sent)).toHaveLength(1);
        expect(readsAlone(sent)).toHaveLength(2);
      });
    });
  }
});
