// One clearing record as the network sends it (SPEC §6). Each record is validated on its own so
// that one malformed record is rejected without sinking the batch.
import { z } from 'zod';

const MAX_AMOUNT = 999_999_999_999;

export const ClearingRecordSchema = z.object({
  pan: z.string().regex(/^\d{12,19}$/).optional(),
  rrn: z.string().regex(/^[A-Za-z0-9]{12}$/),
  authCode: z.string().regex(/^[0-9A-Z]{6}$/).optional(),
  acquirerId: z.string().min(1).max(32),
  amount: z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT),
  currency: z.string().regex(/^\d{3}$/),
  processingCode: z.string().regex(/^\d{6}$/),
  mcc: z.string().regex(/^\d{4}$/),
  merchantName: z.string().min(1).max(100),
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
