// The benchmark's traffic: 80 % approvable web purchases spread over many cards, 15 % channel
// declines (chip, contactless, ATM), 5 % over the limit (the first on an account uses the one-time
// exceed, the rest are declined 51). Every request has its own stan + transmissionTime, so none is
// an idempotent replay.
import { createHmac } from 'node:crypto';
import type { SeededCard } from '../seed.js';

export const AUTH_PATH = '/v1/network/authorizations';

export class Workload {
  private n = 0;
  private readonly base = Date.now();
  /**
   * A distinct acquirer per generator, so that two runs on one database never share keys; digits
   * only for ISO 8583, whose DE 32 is n..11 (isoAcquirerId).
   */
  constructor(private readonly cards: SeededCard[], private readonly acquirer = `B${Math.floor(Math.random() * 1e9)}`) {}

  next(): Record<string, unknown> {
    const i = this.n++;
    const card = this.cards[(i * 7919) % this.cards.length];
    const kind = i % 20;
    const stan = String(i % 1_000_000).padStart(6, '0');
    const body: Record<string, unknown> = {
      mti: '0100', pan: card.pan, expiry: card.expiry, cvv2: card.cvv2, processingCode: '000000',
      amount: 100 + (i % 1400), currency: '414', transmissionTime: new Date(this.base + i).toISOString(), stan,
      rrn: String(i).padStart(12, '0'), mcc: '5732', posEntryMode: '812', posConditionCode: '59',
      acquirerId: this.acquirer, merchantId: 'M-1001', merchantName: 'Gulf Books Online', merchantCountry: 'KW',
    };
    if (kind >= 16 && kind < 19) {
      // Channel declines: chip at a shop, contactless phone, ATM withdrawal.
      if (kind === 16) Object.assign(body, { posEntryMode: '051', posConditionCode: '00', terminalType: 'pos' });
      else if (kind === 17) Object.assign(body, { posEntryMode: '071', posConditionCode: '00' });
      else Object.assign(body, { mcc: '6011', processingCode: '010000', terminalType: 'atm', pinPresent: true });
    } else if (kind === 19) {
      body.amount = card.limitFils + card.limitFils / 10;
    }
    return body;
  }
}

export function signedHeaders(keyId: string, secret: string, raw: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secret).update(`${ts}.POST.${AUTH_PATH}.${raw}`).digest('hex');
  return { 'content-type': 'application/json', 'x-key-id': keyId, 'x-timestamp': ts, 'x-signature': signature };
}

/** A random acquirer id that fits DE 32 (n..11). */
export function isoAcquirerId(): string {
  return String(1_000_000_000 + Math.floor(Math.random() * 9_000_000_000));
}
