// Drives an ISO 8583 listener as a switch does: a few persistent connections, signed on once, each
// keeping `depth` authorizations in flight (pipelined: the next request goes out as soon as an
// answer comes back, answers matched on DE 11 + DE 7 + DE 32 in whatever order they arrive).
// Requests are built as they go, from the HTTP bench's workload (same mix, same cards), MAC'd
// with the client's secret, as the HTTP load signs each body. The same driver, without sign-on,
// measures the bare echo server (iso-echo.ts): the floor of TCP and framing on this host.
import { connect, type Socket } from 'node:net';
import { authorizationMessage } from '../../src/iso8583/client.js';
import { packFrame, text, unpack, type FieldValue, type IsoMessage } from '../../src/iso8583/codec.js';
import { NETWORK_MANAGEMENT, SUBELEMENTS } from '../../src/iso8583/fields.js';
import { CODES } from '../../src/iso8583/session.js';
import { writeSubelements, writeTransmissionTime } from '../../src/iso8583/subfields.js';
import type { Workload } from './workload.js';

/** One timed run: answers, how long it took, each answer's latency; pool runs with `pooledIso`. */
export interface IsoRun {
  answers: number;
  seconds: number;
  latenciesMs: number[];
  /** Answers whose DE 39 the ISO layer gives itself for a fault (30, 63, 91, 96, 12, 03, 25). */
  errors: number;
  /** Answers with DE 39 00. */
  approved: number;
}

export interface IsoLoadOptions {
  port: number;
  host?: string;
  connections: number;
  /** Requests in flight per connection. */
  depth: number;
  /** Sign on with this key (the service); absent for the echo server, which knows none. */
  signOn?: { keyId: string; secret: string };
  /** MAC key for the requests when there is no sign-on (the echo server ignores it). */
  macSecret: string;
}

const FAULTS: ReadonlySet<string> = new Set(Object.entries(CODES).filter(([name]) => name !== 'approved').map(([, code]) => code));

/** How long after a run's end its last answers may take before the run fails. */
const RUN_GRACE_S = 10;

const matchKey = (m: IsoMessage) => `${text(m, 11) ?? ''}|${text(m, 7) ?? ''}|${text(m, 32) ?? ''}`;

class DriverConnection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly sentAt = new Map<string, number>();
  private deadline = 0;
  private run: IsoRun | undefined;
  private done: (() => void) | undefined;
  private frameWaiter: ((bytes: Buffer) => void) | undefined;

  constructor(private readonly socket: Socket, private readonly workload: Workload, private readonly secret: string, private readonly depth: number) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  static open(o: IsoLoadOptions, workload: Workload): Promise<DriverConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port: o.port, host: o.host ?? '127.0.0.1' }, () => {
        socket.off('error', reject);
        socket.on('error', () => { /* seen as a run that never ends: the bench's timeout */ });
        resolve(new DriverConnection(socket, workload, o.signOn?.secret ?? o.macSecret, o.depth));
      });
      socket.once('error', reject);
    });
  }

  async signOn(keyId: string, stan: number): Promise<void> {
    const m: IsoMessage = { mti: '0800', fields: new Map<number, FieldValue>([
      [7, writeTransmissionTime(Date.now())], [11, String(stan).padStart(6, '0')],
      [48, writeSubelements([[SUBELEMENTS.networkKeyId, keyId]])], [70, NETWORK_MANAGEMENT.signOn],
    ]) };
    const answer = new Promise<Buffer>((resolve) => { this.frameWaiter = resolve; });
    this.socket.write(packFrame(m, this.secret));
    const code = text(unpack(await answer).message, 39);
    if (code !== '00') throw new Error(`ISO 8583 sign-on answered ${code}`);
  }

  /** Keeps `depth` requests in flight until `deadline`, then waits for the last answers. */
  start(deadline: number, run: IsoRun): Promise<void> {
    this.deadline = deadline;
    this.run = run;
    const finished = new Promise<void>((resolve) => { this.done = resolve; });
    const out: Buffer[] = [];
    for (let i = 0; i < this.depth; i++) out.push(this.request());
    this.socket.write(Buffer.concat(out));
    return finished;
  }

  close(): void { this.socket.destroy(); }

  private request(): Buffer {
    const m = authorizationMessage(this.workload.next() as Parameters<typeof authorizationMessage>[0]);
    const bytes = packFrame(m, this.secret);
    this.sentAt.set(matchKey(m), performance.now());
    return bytes;
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length >= 2 && this.pending.length >= 2 + this.pending.readUInt16BE(0)) {
      const bytes = this.pending.subarray(2, 2 + this.pending.readUInt16BE(0));
      this.pending = this.pending.subarray(2 + bytes.length);
      if (this.frameWaiter) { const w = this.frameWaiter; this.frameWaiter = undefined; w(bytes); continue; }
      const { message } = unpack(bytes);
      if (message.mti === '0800' && text(message, 70) === NETWORK_MANAGEMENT.echo) {
        // The server's echo on an idle connection (between slices): answered, as a switch does.
        const reply = new Map<number, FieldValue>([[7, text(message, 7)!], [11, text(message, 11)!], [39, '00'], [70, NETWORK_MANAGEMENT.echo]]);
        out.push(packFrame({ mti: '0810', fields: reply }, this.secret));
        continue;
      }
      const key = matchKey(message);
      const sent = this.sentAt.get(key);
      if (sent === undefined || !this.run) continue;
      this.sentAt.delete(key);
      const now = performance.now();
      this.run.answers++;
      this.run.latenciesMs.push(now - sent);
      const code = text(message, 39);
      if (code !== undefined && FAULTS.has(code)) this.run.errors++;
      else if (code === '00') this.run.approved++;
      if (now < this.deadline) out.push(this.request());
    }
    if (out.length) this.socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    if (this.run && this.sentAt.size === 0 && performance.now() >= this.deadline) {
      this.run = undefined;
      this.done?.();
    }
  }
}

/** Persistent connections to one ISO listener; `run` as often as needed, `close` at the end. */
export class IsoLoad {
  private constructor(private readonly connections: DriverConnection[]) {}

  static async open(o: IsoLoadOptions, workload: Workload): Promise<IsoLoad> {
    const connections = await Promise.all(Array.from({ length: o.connections }, () => DriverConnection.open(o, workload)));
    if (o.signOn) await Promise.all(connections.map((c, i) => c.signOn(o.signOn!.keyId, 999_000 + i)));
    return new IsoLoad(connections);
  }

  /** One run of `seconds`: the answers to requests sent before its end, over the time until the last. */
  async run(seconds: number): Promise<IsoRun> {
    const run: IsoRun = { answers: 0, seconds: 0, latenciesMs: [], errors: 0, approved: 0 };
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const lost = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ISO 8583 answers still missing ${RUN_GRACE_S} s after the run's end`)), (seconds + RUN_GRACE_S) * 1000);
    });
    try {
      await Promise.race([Promise.all(this.connections.map((c) => c.start(started + seconds * 1000, run))), lost]);
    } finally {
      clearTimeout(timer);
    }
    run.seconds = (performance.now() - started) / 1000;
    return run;
  }

  close(): void { for (const c of this.connections) c.close(); }
}

export interface IsoResult { perSec: number; p50Ms: number; p99Ms: number; answers: number; errors: number; approved: number }

/** Several runs as one: answers over their summed durations, percentiles over every answer. */
export function pooledIso(runs: IsoRun[]): IsoResult {
  if (!runs.length) throw new Error('no runs to pool');
  const answers = runs.reduce((s, r) => s + r.answers, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const all = Float64Array.from(runs.flatMap((r) => r.latenciesMs)).sort();
  const at = (q: number) => (all.length ? all[Math.min(all.length - 1, Math.ceil(q * all.length) - 1)] : NaN);
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return { perSec: answers / seconds, p50Ms: round1(at(0.5)), p99Ms: round1(at(0.99)), answers, errors: runs.reduce((s, r) => s + r.errors, 0), approved: runs.reduce((s, r) => s + r.approved, 0) };
}
