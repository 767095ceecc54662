// 3-D Secure decisions (SPEC §7), pure: whether an authentication request is frictionless,
// challenged or refused (on risk: amount and merchant), and the layout of the CAVV we hand out.
import type { CardState } from './rules.js';
import { isExpired } from './pan.js';

export type TransStatus = 'Y' | 'C' | 'N';

/** A challenge not answered within 5 minutes is "N". */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** A CAVV verifies for one authorization within 10 minutes of the authentication's success. */
export const CAVV_TTL_MS = 10 * 60_000;
/** The ECI of a full authentication: 05 on a Visa card (PAN, or BIN, starting with 4), 02 on others. */
export const authenticatedEci = (panOrBin: string) => (panOrBin.startsWith('4') ? '05' : '02');

export const CAVV_REF_BYTES = 10;
export const CAVV_MAC_BYTES = 10;

export interface ThreeDsFacts {
  /** null: unknown PAN or Luhn failure. */
  card: { status: CardState; expiry: string } | null;
  requestExpiry: string;
  /** null: the currency cannot be converted. */
  billingFils: number | null;
  /** The product's frictionless ceiling in fils: frictionless only below it. */
  ceilingFils: number;
  /** The card account has an approved purchase or an account verification at this merchantId. */
  knownMerchant: boolean;
  nowMs: number;
}

export interface ThreeDsDecision { transStatus: TransStatus; reason: string }

export function decideThreeDs(f: ThreeDsFacts): ThreeDsDecision {
  if (!f.card) return { transStatus: 'N', reason: 'unknown_card' };
  if (f.card.status !== 'active') return { transStatus: 'N', reason: `card_${f.card.status}` };
  if (f.requestExpiry !== f.card.expiry || isExpired(f.card.expiry, f.nowMs)) return { transStatus: 'N', reason: 'expired_card' };
  if (f.billingFils === null) return { transStatus: 'N', reason: 'unsupported_currency' };
  if (f.billingFils <= 0) return { transStatus: 'N', reason: 'invalid_amount' };
  // On risk: a small amount at a merchant the card already knows. The authorization threshold
  // (SPEC §4, 1A/65) plays no part here.
  if (f.billingFils < f.ceilingFils && f.knownMerchant) return { transStatus: 'Y', reason: 'frictionless' };
  return { transStatus: 'C', reason: f.knownMerchant ? 'challenge_amount' : 'challenge_new_merchant' };
}

/**
 * A refusal that counts toward the card-testing freeze (SPEC §2): a wrong expiry, as in
 * authorization — not a card past its expiry month that was sent with the right one.
 */
export function isCardTestingFailure(d: ThreeDsDecision, card: { expiry: string }, request: { expiry: string }): boolean {
  return d.reason === 'expired_card' && request.expiry !== card.expiry;
}

/** What the CAVV's MAC covers: the authentication and the purchase it was made for. */
export function cavvMessage(p: { id: string; pan: string; amount: number; currency: string; merchantId: string }): string {
  return JSON.stringify(['cavv', p.id, p.pan, p.amount, p.currency, p.merchantId]);
}

/** CAVV = base64(reference (10 bytes) | MAC truncated to 10 bytes): 20 bytes. */
export function packCavv(ref: Buffer, mac: Buffer): string {
  return Buffer.concat([ref.subarray(0, CAVV_REF_BYTES), mac.subarray(0, CAVV_MAC_BYTES)]).toString('base64');
}

export function unpackCavv(cavv: string): { ref: string; mac: Buffer } | null {
  if (!/^[A-Za-z0-9+/]{27}=$/.test(cavv)) return null; // exactly 20 bytes of canonical base64
  const raw = Buffer.from(cavv, 'base64');
  if (raw.length !== CAVV_REF_BYTES + CAVV_MAC_BYTES) return null;
  return { ref: raw.subarray(0, CAVV_REF_BYTES).toString('hex'), mac: raw.subarray(CAVV_REF_BYTES) };
}

/** A challenge left unanswered past its deadline reads as "N". */
export function effectiveStatus(row: { trans_status: TransStatus; expires_at: number }, nowMs: number): TransStatus {
  return row.trans_status === 'C' && nowMs >= row.expires_at ? 'N' : row.trans_status;
}
