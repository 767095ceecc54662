// A small ISO 8583 client for the issuer's listener: length-prefixed frames, answers matched on
// DE 11 + DE 7 + DE 32 as they arrive, the server's echo answered. Used by `npm run iso:send`,
// the bench and the tests.
import { connect, type Socket } from 'node:net';
import { frame, macVerifies, pack, responseMtiOf, text, unpack, type FieldValue, type IsoMessage } from './codec.js';
import { NETWORK_MANAGEMENT, SUBELEMENTS } from './fields.js';
import { writeSubelements, writeTransmissionTime } from './subfields.js';

export interface IsoAnswer {
  message: IsoMessage;
  bytes: Buffer;
  /** The answer's MAC verifies with the client's secret (false when it has none). */
  macValid: boolean;
}

const matchKey = (m: IsoMessage) => `${text(m, 11) ?? ''}|${text(m, 7) ?? ''}|${text(m, 32) ?? ''}`;

export class IsoClient {
  /** The secret MACs are made and checked with (set by signOn). */
  secret: string | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting = new Map<string, Array<(a: IsoAnswer) => void>>();
  private readonly unmatched: IsoAnswer[] = [];
  private readonly nextWaiters: Array<(a: IsoAnswer) => void> = [];
  private stanCounter = 0;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => { /* seen as 'close' */ });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<IsoClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => { socket.off('error', reject); resolve(new IsoClient(socket)); });
      socket.once('error', reject);
    });
  }

  nextStan(): string { this.stanCounter = (this.stanCounter % 999_999) + 1; return String(this.stanCounter).padStart(6, '0'); }

  /** Writes bytes as they are (a frame built by hand, or part of one). */
  writeRaw(bytes: Buffer): void { this.socket.write(bytes); }

  /** Sends a message (with a MAC when `mac` and a secret is known) and waits for its answer. */
  request(m: IsoMessage, o: { mac?: boolean } = {}): Promise<IsoAnswer> {
    const bytes = pack(m, o.mac === false ? undefined : this.secret);
    const answer = this.answerTo(m);
    this.socket.write(frame(bytes));
    return answer;
  }

  /** The answer to `m` (matched on DE 11 + DE 7 + DE 32), whenever it comes. */
  answerTo(m: IsoMessage): Promise<IsoAnswer> {
    const key = matchKey(m);
    return new Promise((resolve) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
    });
  }

  /** The next frame that no request was waiting for. */
  next(): Promise<IsoAnswer> {
    const ready = this.unmatched.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.nextWaiters.push(resolve));
  }

  /** 0800 sign-on naming `keyId`, MAC'd with `secret` (kept for what follows when accepted). */
  async signOn(keyId: string, secret: string, nowMs = Date.now()): Promise<IsoAnswer> {
    const m: IsoMessage = { mti: '0800', fields: new Map<number, FieldValue>([
      [7, writeTransmissionTime(nowMs)], [11, this.nextStan()],
      [48, writeSubelements([[SUBELEMENTS.networkKeyId, keyId]])], [70, NETWORK_MANAGEMENT.signOn],
    ]) };
    const bytes = pack(m, secret);
    const answer = this.answerTo(m);
    this.socket.write(frame(bytes));
    const a = await answer;
    if (text(a.message, 39) === '00') this.secret = secret;
    return { ...a, macValid: macVerifies(a.bytes, unpack(a.bytes).macOffset, secret) };
  }

  close(): Promise<void> { this.socket.end(); return this.closed; }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 2 && this.pending.length >= 2 + this.pending.readUInt16BE(0)) {
      const bytes = this.pending.subarray(2, 2 + this.pending.readUInt16BE(0));
      this.pending = this.pending.subarray(2 + bytes.length);
      const { message, macOffset } = unpack(bytes);
      const answer: IsoAnswer = { message, bytes, macValid: this.secret !== undefined && macVerifies(bytes, macOffset, this.secret) };
      if (message.mti === '0800' && text(message, 70) === NETWORK_MANAGEMENT.echo) {
        // The server's echo: answer it, as a switch does.
        const reply = new Map<number, FieldValue>([[7, text(message, 7)!], [11, text(message, 11)!], [39, '00'], [70, NETWORK_MANAGEMENT.echo]]);
        this.socket.write(frame(pack({ mti: responseMtiOf('0800'), fields: reply }, this.secret)));
      }
      const list = this.waiting.get(matchKey(message));
      const waiter = list?.shift();
      if (list && list.length === 0) this.waiting.delete(matchKey(message));
      if (waiter) waiter(answer);
      else if (this.nextWaiters.length) this.nextWaiters.shift()!(answer);
      else this.unmatched.push(answer);
    }
  }
}

/** An ISO authorization (0100) from the JSON fields it maps to (SPEC §10's table). */
export function authorizationMessage(j: {
  mti?: string; pan: string; expiry: string; cvv2?: string; processingCode: string; amount: number; currency: string;
  transmissionTime: string; stan: string; rrn: string; mcc: string; posEntryMode: string; posConditionCode: string;
  acquirerId: string; merchantId: string; merchantName: string; merchantCountry: string; merchantCity?: string;
  terminalId?: string; terminalType?: string; pinPresent?: boolean; eci?: string; cavv?: string; initialTransactionId?: string;
  billingAmount?: number;
}): IsoMessage {
  const fields = new Map<number, FieldValue>();
  fields.set(2, j.pan);
  fields.set(3, j.processingCode);
  fields.set(4, String(j.amount));
  if (j.billingAmount !== undefined) fields.set(6, String(j.billingAmount));
  fields.set(7, writeTransmissionTime(Date.parse(j.transmissionTime)));
  fields.set(11, j.stan);
  fields.set(14, j.expiry);
  fields.set(18, j.mcc);
  fields.set(22, j.posEntryMode);
  fields.set(25, j.posConditionCode);
  fields.set(32, j.acquirerId);
  fields.set(37, j.rrn);
  if (j.terminalId !== undefined) fields.set(41, j.terminalId);
  fields.set(42, j.merchantId);
  fields.set(43, j.merchantName.slice(0, 25).padEnd(25) + (j.merchantCity ?? '').slice(0, 13).padEnd(13) + j.merchantCountry);
  const de48 = writeSubelements([
    [SUBELEMENTS.terminalType, j.terminalType], [SUBELEMENTS.eci, j.eci], [SUBELEMENTS.cavv, j.cavv],
    [SUBELEMENTS.initialTransactionId, j.initialTransactionId], [SUBELEMENTS.cvv2, j.cvv2],
  ]);
  if (de48) fields.set(48, de48);
  fields.set(49, j.currency);
  if (j.pinPresent) fields.set(52, Buffer.alloc(8, 0x11));
  return { mti: j.mti ?? '0100', fields };
}
