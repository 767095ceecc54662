// Clearing records (SPEC §5): what kind a record is and the key that makes a repeat harmless.
// Pure: no I/O.

export type ClearingKind = 'sale' | 'refund';

/** 00xxxx is a purchase, 20xxxx a refund; nothing else is ever authorized on this card. */
export function clearingKind(processingCode: string): ClearingKind | null {
  if (processingCode.startsWith('00')) return 'sale';
  if (processingCode.startsWith('20')) return 'refund';
  return null;
}

/** A record is identified by acquirerId + rrn + processingCode (clearings.record_key is unique). */
export function clearingRecordKey(r: { acquirerId: string; rrn: string; processingCode: string }): string {
  return `${r.acquirerId}|${r.rrn}|${r.processingCode}`;
}

/** Codes a rejected record carries: the ISO 8583 response codes the network already knows. */
export const CLEARING_REJECT = {
  format_error: '30',
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
