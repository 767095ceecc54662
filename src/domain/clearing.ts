// Clearing records (SPEC §5): what kind a record is and the key that makes a repeat harmless.
// Pure: no I/O.

export type ClearingKind = 'sale' | 'refund';

/** 00xxxx is a purchase, 20xxxx a refund; nothing else is ever authorized on this card. */
export function clearingKind(processingCode: string): ClearingKind | null {
  if (processingCode.startsWith('00')) return 'sale';
  if (processingCode.startsWith('20')) return 'refund';
  return null;
}

/**
 * A record is identified by acquirerId + rrn + processingCode + clearingSequence
 * (clearings.record_key is unique). Part 1 keeps the key a record had before split shipments
 * existed, so a repeat of a record posted then is still a duplicate.
 */
export function clearingRecordKey(r: { acquirerId: string; rrn: string; processingCode: string; clearingSequence?: number }): string {
  const base = `${r.acquirerId}|${r.rrn}|${r.processingCode}`;
  return (r.clearingSequence ?? 1) > 1 ? `${base}|${r.clearingSequence}` : base;
}

/** Part `sequence` of `count` (both 1-based): the last part may not come before the first. */
export function isValidSplit(sequence: number, count: number): boolean {
  return Number.isInteger(sequence) && Number.isInteger(count) && sequence >= 1 && count >= 1 && sequence <= count;
}

/** Half-up division of non-negative integers, exact (BigInt). */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (2n * d);
}

export interface SplitPart {
  /** What the authorization still holds, fils. */
  heldFils: number;
  /** The billing amount the authorization held at first, fils, and its amount (minor units). */
  authorizedFils: number;
  authorizedMinor: number;
  /** This part's amount, in the authorization's currency (minor units). */
  partMinor: number;
  /** The part whose sequence equals the count: it releases whatever is left. */
  last: boolean;
}

/**
 * How much of the hold a clearing part releases (SPEC §5, split shipments): the held billing
 * amount × part amount ÷ authorized amount, half-up, never more than is still held; the last part
 * releases everything left.
 */
export function partReleaseFils(p: SplitPart): number {
  if (p.last || p.authorizedMinor <= 0) return p.heldFils;
  const share = Number(divideHalfUp(BigInt(p.authorizedFils) * BigInt(Math.max(p.partMinor, 0)), BigInt(p.authorizedMinor)));
  return Math.min(p.heldFils, share);
}

/** Codes a rejected record carries: the ISO 8583 response codes the network already knows. */
export const CLEARING_REJECT = {
  format_error: '30',
  invalid_clearing_sequence: '30',
  unsupported_currency: '12',
  invalid_amount: '13',
  invalid_card: '14',
  unknown_original: '25',
  transaction_not_permitted: '57',
  system_error: '96',
  // Not an ISO response code: the record names an acquirer the client may not speak for (SPEC §6).
  acquirer_not_permitted: 'acquirer_not_permitted',
} as const;
export type ClearingRejectReason = keyof typeof CLEARING_REJECT;
