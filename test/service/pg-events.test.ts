// Notifications reach a cardholder connected to another instance: on PostgreSQL every instance
// relays its events through LISTEN/NOTIFY (src/service/pg-events.ts); on SQLite there is one
// process and the bus stays local.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/http/env.js';
import { LocalEventBus } from '../../src/service/events.js';
import { channelFor, decodePayload, encodePayloads, startPgEventRelay } from '../../src/service/pg-events.js';
import { openDatabase, type DbHandle } from '../../src/store/db.js';
import { backendUrl, forEachBackend } from '../support/backends.js';
import { Harness } from '../support/harness.js';
import { useHarness } from '../support/use-harness.js';
import { notificationRows } from '../../src/store/notifications.repository.js';

/** Resolves when the listener has been called `n` times in all. */
function counter() {
  let count = 0;
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    get count() { return count; },
    listener: () => {
      count += 1;
      waiters = waiters.filter((w) => (count >= w.n ? (w.resolve(), false) : true));
    },
    reached(n: number) { return count >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })); },
  };
}

describe('relay payloads', () => {
  it('round-trip, and split below the 8000-byte NOTIFY limit', () => {
    expect(decodePayload(encodePayloads('abc', ['cus_1', 'cus_2'])[0])).toEqual({ instanceId: 'abc', customerIds: ['cus_1', 'cus_2'] });
    const ids = Array.from({ length: 2000 }, (_, i) => `cus_${String(i).padStart(20, '0')}`);
    const payloads = encodePayloads('abc', ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => decodePayload(p)!.customerIds)).toEqual(ids);
    expect(decodePayload('no-colon')).toBeNull();
  });

  it('use one channel per schema, within the 63-byte identifier limit', () => {
    expect(channelFor(undefined)).toBe('isc_events');
    expect(channelFor('t_abc')).toBe('isc_events_t_abc');
    expect(channelFor('s'.repeat(63)).length).toBe(63);
  });
});

forEachBackend((backend) => {
  const a = useHarness(backend);

  if (backend === 'sqlite') {
    it('SQLite: one process, no relay, events stay on the local bus', async () => {
      expect(a.deps.eventRelay).toBeUndefined();
      const holder = await a.cardholder(100_000);
      const heard = counter();
      a.deps.events.subscribe(holder.customer.id, heard.listener);
      expect((await a.authorize(holder, { amount: 1_000 })).body.approved).toBe(true);
      await heard.reached(1);
      expect(heard.count).toBe(1);
    });
    return;
  }

  describe('two instances on one PostgreSQL database', () => {
    let peerHandle: DbHandle;
    let b: AppDeps;
    beforeAll(async () => {
      // Instance B: its own connections and bus on A's schema (the keyring is the one every
      // instance derives from the same database and MASTER_KEY).
      peerHandle = openDatabase(backendUrl('postgres')!, { pgSchema: a.deps.handle.pgSchema, poolSize: 3 });
      const events = new LocalEventBus();
      b = { ...a.deps, handle: peerHandle, events, eventRelay: undefined };
      b.eventRelay = await startPgEventRelay(peerHandle, events, a.deps.logger);
    });
    afterAll(async () => { await b.eventRelay?.stop(); await peerHandle.close(); });

    /** Waits until B has heard everything A published so far (NOTIFY is delivered in order). */
    let sentinels = 0;
    async function settle() {
      const id = `cus_settle_${++sentinels}`;
      const heard = counter();
      const unsubscribe = b.events.subscribe(id, heard.listener);
      a.deps.events.publish(id);
      await heard.reached(1);
      unsubscribe();
    }

    const listeners = async (instanceId: string) => (await sql<{ n: number }>`select count(*)::int as n
      from pg_stat_activity where application_name = ${`isc-events-${instanceId}`}`.execute(a.deps.handle.db)).rows[0].n;

    it('bootstrap started a relay on instance A, and closing the database stops it', async () => {
      expect(a.deps.eventRelay?.channel).toBe(`isc_events_${a.deps.handle.pgSchema}`);
      expect(b.eventRelay!.instanceId).not.toBe(a.deps.eventRelay!.instanceId);
      const c = await Harness.create({ backend });
      const id = c.deps.eventRelay!.instanceId;
      expect(await listeners(id)).toBe(1);
      await c.close(); // closes the database handle, as every shutdown path does
      // The server process behind a closed connection leaves pg_stat_activity a moment later.
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        left = await listeners(id);
        if (left) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(left).toBe(0);
    });

    it('an authorization answered by A wakes the cardholder\'s stream on B, and A hears its own event once', async () => {
      const holder = await a.cardholder(100_000);
      await settle(); // the card's own creation events are not what this test counts
      const onA = counter();
      const onB = counter();
      a.deps.events.subscribe(holder.customer.id, onA.listener);
      b.events.subscribe(holder.customer.id, onB.listener);

      expect((await a.authorize(holder, { amount: 1_000 })).body.approved).toBe(true);
      await onB.reached(1);
      const stored = await notificationRows(b.handle.db, holder.customer.id, { order: 'newest', before: null, limit: 100 });
      expect(stored.map((n) => n.kind)).toContain('purchase_approved'); // what B's stream will read

      // B publishes, then a sentinel in a later tick. PostgreSQL delivers in order: once A hears
      // the sentinel it has heard B's event and (were it not ignored) its own echo from before.
      b.events.publish(holder.customer.id);
      await new Promise((resolve) => setImmediate(resolve));
      const sentinel = counter();
      a.deps.events.subscribe('cus_sentinel_a', sentinel.listener);
      b.events.publish('cus_sentinel_a');
      await sentinel.reached(1);
      expect(onA.count).toBe(2);
      expect(onB.count).toBe(2); // B's own publish, delivered locally once
    });

    it('a flush goes out on the listening connection: no pool checkout', async () => {
      await settle();
      const connect = peerHandle.pool!.connect.bind(peerHandle.pool!);
      let checkouts = 0;
      peerHandle.pool!.connect = ((...args: unknown[]) => { checkouts++; return (connect as (...a: unknown[]) => unknown)(...args); }) as typeof connect;
      try {
        const heard = counter();
        a.deps.events.subscribe('cus_via_listener', heard.listener);
        b.events.publish('cus_via_listener');
        await heard.reached(1);
      } finally {
        peerHandle.pool!.connect = connect;
      }
      expect(checkouts).toBe(0);
    });

    it('events for other customers do not wake a stream', async () => {
      const [one, other, sentinel] = ['cus_one', 'cus_other', 'cus_sentinel'].map((id) => {
        const c = counter();
        b.events.subscribe(id, c.listener);
        return c;
      });
      a.deps.events.publish('cus_one');
      await one.reached(1);
      await new Promise((resolve) => setImmediate(resolve)); // a later tick: its own NOTIFY
      a.deps.events.publish('cus_sentinel');
      await sentinel.reached(1); // delivered in order, so anything for cus_other would be in by now
      expect([one.count, other.count]).toEqual([1, 0]);
    });

    it('when B loses its listening connection it reconnects, wakes its streams, and hears A again', async () => {
      const holder = await a.cardholder(100_000);
      await settle();
      const onB = counter();
      b.events.subscribe(holder.customer.id, onB.listener);
      const killed = await sql<{ ok: boolean }>`select pg_terminate_backend(pid) as ok from pg_stat_activity
        where application_name = ${`isc-events-${b.eventRelay!.instanceId}`}`.execute(a.deps.handle.db);
      expect(killed.rows).toEqual([{ ok: true }]);
      await onB.reached(1); // woken after the reconnect: it may have missed something
      a.deps.events.publish(holder.customer.id);
      await onB.reached(2);
      expect(onB.count).toBe(2);
    });
  });
});
