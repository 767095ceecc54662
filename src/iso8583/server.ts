// The ISO 8583 listener (SPEC §10): TCP, each message behind a 2-byte big-endian length. A
// connection is long-lived and pipelined: every complete frame is handed to session.ts as it
// arrives and answered as soon as its verb is done, in whatever order they finish.
//
// - Sign-on and other network management (08xx), and anything before sign-on, run alone: they
//   wait for what is in flight and hold the next frame until answered, so a sign-on pipelined
//   with the first authorization is in force for it.
// - Back-pressure: reading stops while a connection has `maxInFlight` messages in flight or more
//   than `writeBufferBytes` of answers unsent, so a client that stops reading cannot make the
//   server buffer without bound; it resumes when answers drain.
// - Idle: after `idleTimeoutMs` without traffic a signed-on connection is sent an echo (0800,
//   DE 70 301); silence for another period closes it. An idle connection never signed on is closed.
// - A frame cut short by a close is discarded: nothing of it is applied.
// - close(): stop accepting, stop reading, answer what was received, then end each connection.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../http/env.js';
import { cachedNetworkClientAccess, findNetworkSecrets } from '../service/admin/network-clients.js';
import { packFrame } from './codec.js';
import { NETWORK_MANAGEMENT } from './fields.js';
import { isoMetrics, type IsoMetrics } from './metrics.js';
import { handleFrame, type Session, type SessionDeps } from './session.js';
import { writeTransmissionTime } from './subfields.js';
import { verbsFor, type IsoVerbs } from './verbs.js';

export interface IsoServerOptions {
  port: number;
  host?: string;
  maxConnections: number;
  idleTimeoutMs: number;
  /** Messages one connection may have in flight before its reading stops. */
  maxInFlight?: number;
  /** Unsent answer bytes on one connection before its reading stops. */
  writeBufferBytes?: number;
  /** The verbs messages run (default: the service's own, verbs.ts). */
  verbs?: IsoVerbs;
}

export interface IsoServer {
  readonly port: number;
  readonly connections: number;
  /** Bytes held for all connections: received and not yet handed over, plus answers not yet sent. */
  readonly bufferedBytes: number;
  /** Stops accepting, answers what each connection has in flight, then closes them (cut after graceMs). */
  close(graceMs?: number): Promise<void>;
}

const HEADER_BYTES = 2;

class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private inFlight = 0;
  /** A frame that runs alone (network management, or before sign-on) is in flight. */
  private exclusive = false;
  private draining = false;
  private echoOutstanding = false;
  private echoStan = 0;
  private messages = 0;
  /**
   * Answers completed in this turn of the event loop (a group commit answers its whole batch in
   * one), written together at its end: one write and one system call, not one per answer.
   */
  private unsent: Buffer[] = [];
  private unsentBytes = 0;
  readonly session: Session = {};
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly d: SessionDeps,
    private readonly o: Required<Pick<IsoServerOptions, 'maxInFlight' | 'writeBufferBytes' | 'idleTimeoutMs'>>,
    private readonly metrics: IsoMetrics | undefined,
  ) {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    metrics?.connectionOpened();
    d.logger.info({ remote }, 'ISO 8583 connection open');
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.pending = Buffer.alloc(0); // a frame cut short is never applied
      metrics?.connectionClosed();
      d.logger.info({ remote, networkClient: this.session.client ?? null, messages: this.messages }, 'ISO 8583 connection closed');
      resolve();
    }));
    socket.setNoDelay(true);
    if (o.idleTimeoutMs > 0) socket.setTimeout(o.idleTimeoutMs, () => this.idle());
    socket.on('data', (chunk: Buffer) => {
      this.echoOutstanding = false;
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.pump();
    });
    socket.on('drain', () => this.pump());
    socket.on('end', () => { if (this.inFlight === 0) this.end(); });
    socket.on('error', (error) => d.logger.debug({ err: error, remote }, 'ISO 8583 connection error'));
  }

  /** Stop reading, answer what was received, then end. */
  drain(): void {
    this.draining = true;
    this.pump();
  }

  /** Closes at once; answers already complete are written first, as far as the socket takes them. */
  destroy(): void {
    this.flush();
    this.socket.destroy();
  }

  get bufferedBytes(): number { return this.pending.length + this.unsentBytes + this.socket.writableLength; }

  // The answers of this turn not yet handed to the socket are bounded by maxInFlight; only the
  // socket's own buffer counts here, since a full one is sure to emit 'drain' (which resumes).
  private get full(): boolean {
    return this.inFlight >= this.o.maxInFlight || this.socket.writableLength > this.o.writeBufferBytes;
  }

  private send(framed: Buffer): void {
    if (this.unsent.length === 0) process.nextTick(() => this.flush());
    this.unsent.push(framed);
    this.unsentBytes += framed.length;
  }

  private flush(): void {
    if (this.unsent.length === 0) return;
    const unsent = this.unsent;
    const bytes = this.unsentBytes;
    this.unsent = [];
    this.unsentBytes = 0;
    if (this.socket.writable) this.socket.write(unsent.length === 1 ? unsent[0] : Buffer.concat(unsent, bytes));
  }

  /** Ends the connection after the answers not yet written. */
  private end(): void {
    this.flush();
    this.socket.end();
  }

  /** Hands over every complete frame the limits allow, then pauses or resumes reading. */
  private pump(): void {
    while (!this.socket.destroyed && !this.exclusive && !this.full && this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < HEADER_BYTES + length) break;
      const bytes = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length);
      // Network management: an MTI starting '08'.
      const alone = !this.session.client || (bytes[0] === 0x30 && bytes[1] === 0x38);
      if (alone && this.inFlight > 0) break; // resumes when the last one in flight is answered
      this.pending = this.pending.subarray(HEADER_BYTES + length);
      this.run(bytes, alone);
    }
    if (this.draining || this.full || this.exclusive) this.socket.pause();
    else this.socket.resume();
    if (this.draining && this.inFlight === 0 && !this.socket.destroyed && !this.hasCompleteFrame()) this.end();
  }

  private hasCompleteFrame(): boolean {
    return this.pending.length >= HEADER_BYTES && this.pending.length >= HEADER_BYTES + this.pending.readUInt16BE(0);
  }

  private run(bytes: Buffer, alone: boolean): void {
    this.inFlight++;
    this.messages++;
    if (alone) this.exclusive = true;
    handleFrame(bytes, this.session, this.d, this.socket.remoteAddress ?? null).then((handled) => {
      this.metrics?.message(handled.mti, handled.responseCode);
      if (handled.close) this.destroy();
      else if (handled.answer) this.send(handled.answer);
      this.settled(alone);
    }, (error) => {
      // handleFrame answers every failure of a verb; only a fault of its own gets here.
      this.d.logger.error({ err: error }, 'ISO 8583 frame failed');
      this.destroy();
      this.settled(alone);
    });
  }

  private settled(alone: boolean): void {
    this.inFlight--;
    if (alone) this.exclusive = false;
    this.pump();
    if (this.socket.readableEnded && this.inFlight === 0 && !this.socket.destroyed) this.end();
  }

  private idle(): void {
    if (this.inFlight > 0) return;
    if (!this.session.client || this.echoOutstanding) {
      this.d.logger.info({ networkClient: this.session.client ?? null }, 'ISO 8583 connection idle: closed');
      return void this.destroy();
    }
    this.echoOutstanding = true;
    this.echoStan = (this.echoStan % 999_999) + 1;
    this.send(packFrame({
      mti: '0800',
      fields: new Map([[7, writeTransmissionTime(this.d.now())], [11, String(this.echoStan).padStart(6, '0')], [70, NETWORK_MANAGEMENT.echo]]),
    }, this.session.secret));
  }
}

export async function startIsoServer(deps: AppDeps, o: IsoServerOptions): Promise<IsoServer> {
  const metrics = isoMetrics(deps.metrics?.registry);
  const sessionDeps: SessionDeps = {
    verbs: o.verbs ?? verbsFor(deps),
    findSecrets: (keyId) => cachedNetworkClientAccess(deps, keyId)?.secrets ?? findNetworkSecrets(deps, keyId),
    now: () => deps.clock.now(),
    logger: deps.logger,
  };
  const limits = { maxInFlight: o.maxInFlight ?? 512, writeBufferBytes: o.writeBufferBytes ?? 256 * 1024, idleTimeoutMs: o.idleTimeoutMs };
  const open = new Set<Connection>();
  // Half-open: a client that sends its last requests and then shuts its side still gets their answers.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = new Connection(socket, sessionDeps, limits, metrics);
    open.add(connection);
    void connection.closed.then(() => open.delete(connection));
  });
  server.maxConnections = o.maxConnections;
  server.on('drop', (data) => deps.logger.warn({ remote: data?.remoteAddress, maxConnections: o.maxConnections }, 'ISO 8583 connection refused: connection limit'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  server.on('error', (error) => deps.logger.error({ err: error }, 'ISO 8583 listener failed'));
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    get connections() { return open.size; },
    get bufferedBytes() { let n = 0; for (const c of open) n += c.bufferedBytes; return n; },
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const listening = new Promise<void>((r) => server.close(() => r()));
        for (const c of open) c.drain();
        const cut = setTimeout(() => { for (const c of open) c.destroy(); }, graceMs);
        cut.unref();
        void Promise.all([listening, ...[...open].map((c) => c.closed)]).then(() => { clearTimeout(cut); resolve(); });
      });
      return closing;
    },
  };
}
