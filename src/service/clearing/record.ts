// One clearing record as the network sends it (SPEC §6). Each record is validated on its own so
// that one malformed record is rejected without sinking the batch.
import { z } from 'zod';
import { NO_NUL, NO_UNPAIRED_SURROGATE, NUL_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from '../../domain/storable-text.js';

const MAX_AMOUNT = 999_999_999_999;

/**
 * Free text of a record, as the network API's schemas take it (domain/storable-text.ts): a record
 * carrying U+0000 or an unpaired surrogate is malformed (rejected, 30). Nothing else checks a
 * record's text: two acquirerIds differing only in a lone half would be one record's key on
 * PostgreSQL (the second answered `duplicate`), and U+0000 would fail there (96) where SQLite stores it.
 */
const text = (max: number) => z.string().min(1).max(max).regex(NO_NUL, NUL_MESSAGE).regex(NO_UNPAIRED_SURROGATE, UNPAIRED_SURROGATE_MESSAGE);

export const ClearingRecordSchema = z.object({
  pan: z.string().regex(/^\d{12,19}$/).optional(),
  rrn: z.string().regex(/^[A-Za-z0-9]{12}$/),
  authCode: z.string().regex(/^[0-9A-Z]{6}$/).optional(),
  acquirerId: text(32),
  amount: z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT),
  currency: z.string().regex(/^\d{3}$/),
  processingCode: z.string().regex(/^\d{6}$/),
  mcc: z.string().regex(/^\d{4}$/),
  merchantName: text(100),
  // Split shipments (SPEC §5): part clearingSequence of clearingCount. Integers here; their
  // ranges are checked by the clearing itself, which answers `rejected` with a reason.
  clearingSequence: z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT).default(1),
  clearingCount: z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT).default(1),
  // The network's conversion, fils (ISO DE 6): billed with the markup instead of our rate.
  billingAmount: z.number().int().min(0).max(MAX_AMOUNT).optional(),
  // A refund's purchase (SPEC §5): a refund naming none, or none of this account from this
  // acquirer, is posted and flagged for review.
  originalRrn: z.string().regex(/^[A-Za-z0-9]{12}$/).optional(),
});

export type ClearingRecord = z.infer<typeof ClearingRecordSchema>;

export type ClearingStatus = 'posted' | 'duplicate' | 'posted_unmatched' | 'rejected';

export interface ClearingResult {
  index: number;
  status: ClearingStatus;
  transactionId?: string;
  code?: string;
  /** Why a record was rejected, when the code alone does not say (e.g. invalid_clearing_sequence). */
  reason?: string;
  needsReview?: boolean;
}
