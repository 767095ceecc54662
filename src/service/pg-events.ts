// Relays LocalEventBus events between instances through PostgreSQL LISTEN/NOTIFY, so a cardholder
// whose notification stream is held by one instance hears about an authorization answered by
// another. No new infrastructure: one extra connection per instance.
//
// An event only says "customer X has something new": the notification itself is a row committed
// before the publish. So a lost wake-up (connection drop, crash between commit and publish) delays
// a stream until its next read, it never loses a notification; after a reconnect every local
// stream is woken to re-read.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DbHandle } from '../store/db.js';
import type { LocalEventBus } from './events.js';

export interface EventRelay {
  readonly channel: string;
  /** Names this instance in payloads and in pg_stat_activity (application_name isc-events-<id>). */
  readonly instanceId: string;
  stop(): Promise<void>;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; several ids share one payload below that. */
const MAX_PAYLOAD_BYTES = 7000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/** The wake-ups of one flush, each payload a notification. */
const NOTIFY = { name: 'isc_events_notify', text: 'select pg_notify($1, p) from unnest($2::text[]) as p' };

/** One channel per schema: instances of different deployments (or test files) sharing a database never wake each other. */
export function channelFor(pgSchema: string | undefined): string {
  return pgSchema ? `isc_events_${pgSchema}`.slice(0, 63) : 'isc_events';
}

/** Payload: `<instance>:<customerId>,<customerId>…`; an instance ignores its own (it delivered locally already). */
export function encodePayloads(instanceId: string, customerIds: Iterable<string>): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let size = instanceId.length + 1;
  for (const id of customerIds) {
    if (current.length && size + id.length + 1 > MAX_PAYLOAD_BYTES) {
      payloads.push(`${instanceId}:${current.join(',')}`);
      current = [];
      size = instanceId.length + 1;
    }
    current.push(id);
    size += id.length + 1;
  }
  if (current.length) payloads.push(`${instanceId}:${current.join(',')}`);
  return payloads;
}

export function decodePayload(payload: string): { instanceId: string; customerIds: string[] } | null {
  const colon = payload.indexOf(':');
  if (colon <= 0) return null;
  return { instanceId: payload.slice(0, colon), customerIds: payload.slice(colon + 1).split(',').filter(Boolean) };
}

export async function startPgEventRelay(handle: DbHandle, bus: LocalEventBus, logger: Logger): Promise<EventRelay> {
  if (handle.dialect !== 'postgres' || !handle.pool) throw new Error('the LISTEN/NOTIFY relay needs PostgreSQL');
  const pool = handle.pool;
  const channel = channelFor(handle.pgSchema);
  const instanceId = randomBytes(6).toString('hex');
  const log = logger.child({ component: 'pg-events', channel });
  let listener: pg.Client | null = null;
  let stopping = false;
  let reconnectDelayMs = RECONNECT_MIN_MS;
  let reconnectTimer: NodeJS.Timeout | null = null;

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== channel || !message.payload) return;
    const decoded = decodePayload(message.payload);
    if (!decoded || decoded.instanceId === instanceId) return;
    for (const customerId of decoded.customerIds) bus.deliver(customerId);
  };

  async function connect(): Promise<void> {
    const client = new pg.Client({ ...pool.options, application_name: `isc-events-${instanceId}` });
    client.on('notification', onNotification);
    client.on('error', (error) => { log.warn({ err: error }, 'listener connection failed'); drop(client); });
    client.on('end', () => drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    listener = client;
    reconnectDelayMs = RECONNECT_MIN_MS;
  }

  function drop(client: pg.Client) {
    if (listener !== client) return;
    listener = null;
    client.end().catch(() => {});
    if (!stopping) scheduleReconnect();
  }

  function scheduleReconnect() {
    if (reconnectTimer || stopping) return;
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = null;
      try {
        await connect();
        log.info('listener reconnected');
        bus.deliverAll(); // whatever was published meanwhile, every stream looks again
      } catch (error) {
        log.warn({ err: error }, 'listener reconnect failed');
        reconnectDelayMs = Math.min(reconnectDelayMs * 2, RECONNECT_MAX_MS);
        scheduleReconnect();
      }
    }, reconnectDelayMs);
    reconnectTimer.unref();
  }

  // Publishes of one tick go out together (a burst of authorizations costs one round trip), and
  // flushes run one after another, so other instances hear this one's events in publish order.
  // They go out on the listening connection, as a statement parsed once there (no pool checkout,
  // no parse per flush); through the pool when that connection fails or is being replaced.
  let pending = new Set<string>();
  let scheduled: Promise<void> | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const ids = pending;
    if (!ids.size) return;
    pending = new Set();
    try {
      const query = { ...NOTIFY, values: [channel, encodePayloads(instanceId, ids)] };
      const client = listener;
      // A listening connection that failed is replaced; meanwhile the pool carries the wake-ups.
      if (client) await client.query(query).catch(() => pool.query(query));
      else await pool.query(query);
    } catch (error) {
      log.warn({ err: error, customers: ids.size }, 'notify failed: other instances learn at their next read');
    }
  };
  bus.onPublish = (customerId) => {
    pending.add(customerId);
    scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      scheduled = null;
      inFlight = inFlight.then(flush);
      return inFlight;
    });
  };

  await connect();
  log.debug('listening');
  return {
    channel, instanceId,
    async stop() {
      if (stopping) return;
      stopping = true;
      bus.onPublish = null;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await scheduled;
      await inFlight;
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
    },
  };
}
