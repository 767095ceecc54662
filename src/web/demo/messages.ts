// The network messages each demo face sends (SPEC §6): one e-commerce purchase, and the three
// card-present kinds the card must refuse — ATM cash, a shop terminal (chip or tap), a phone
// used as a contactless terminal (softpos).
import { randomInt } from 'node:crypto';
import { DEMO_ACQUIRER_ID } from '../../demo.js';

export interface CardEntry { pan: string; expiry: string; cvv2?: string }
export type TerminalKind = 'atm' | 'pos' | 'softpos';
export type EntryMode = 'chip' | 'contactless';

export const DEMO_ACQUIRER = DEMO_ACQUIRER_ID;
const KWD = '414';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

function envelope(nowMs: number) {
  return { mti: '0100', currency: KWD, transmissionTime: new Date(nowMs).toISOString(), stan: digits(6), rrn: digits(12), acquirerId: DEMO_ACQUIRER, merchantCountry: 'KW' };
}

export interface Merchant { id: string; name: string; mcc: string }

export const SHOP: Merchant = { id: 'M-SOUQ-DEMO', name: 'Souq Online Demo', mcc: '5732' };

/** E-commerce purchase: PAN entry mode 81 (keyed online), condition 59 (e-commerce). */
export function ecommercePurchase(card: CardEntry, amountFils: number, nowMs: number, threeDs?: { eci: string; cavv: string }) {
  return {
    ...envelope(nowMs), pan: card.pan, expiry: card.expiry, ...(card.cvv2 ? { cvv2: card.cvv2 } : {}),
    processingCode: '000000', amount: amountFils, mcc: SHOP.mcc, posEntryMode: '812', posConditionCode: '59',
    merchantId: SHOP.id, merchantName: SHOP.name, ...(threeDs ? { eci: threeDs.eci, cavv: threeDs.cavv } : {}),
  };
}

/** A card-present message, as the given terminal would send it. */
export function terminalMessage(kind: TerminalKind, card: CardEntry, amountFils: number, nowMs: number, entry: EntryMode = 'chip') {
  const base = { ...envelope(nowMs), pan: card.pan, expiry: card.expiry, amount: amountFils, posConditionCode: '00' };
  switch (kind) {
    case 'atm':
      return { ...base, processingCode: '010000', mcc: '6011', posEntryMode: '051', pinPresent: true, terminalType: 'atm',
        terminalId: 'ATM-0042', merchantId: 'ATM-KW-0042', merchantName: 'Demo Bank ATM Salmiya' };
    case 'pos':
      return { ...base, processingCode: '000000', mcc: '5411', posEntryMode: entry === 'chip' ? '051' : '071',
        pinPresent: entry === 'chip', terminalType: 'pos', terminalId: 'POS-7731', merchantId: 'M-GROCER-7731', merchantName: 'Demo Grocery Hawally' };
    case 'softpos':
      return { ...base, processingCode: '000000', mcc: '5812', posEntryMode: '071', terminalType: 'softpos',
        terminalId: 'PHONE-0915', merchantId: 'M-CAFE-0915', merchantName: 'Demo Café (phone terminal)' };
  }
}
