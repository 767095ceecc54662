// Wire formats of the network API (SPEC §6). Format errors are 400 with responseCode "30".
import { z } from '@hono/zod-openapi';
import { NO_NUL, NO_UNPAIRED_SURROGATE, NUL_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from '../../domain/storable-text.js';

const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`), `must be ${n} digits`);
/**
 * Free text of a network message. PostgreSQL's text holds no U+0000: a message carrying one is
 * malformed (400, 30) on every backend, rather than stored on SQLite and a 500 on PostgreSQL. Nor
 * can UTF-8 hold an unpaired surrogate (JSON's "\ud800"): PostgreSQL gets U+FFFD for each, so two
 * merchant ids differing only there would be one merchant, known where the card was never used.
 */
export const text = (max: number, min = 1) => z.string().min(min).max(max).regex(NO_NUL, NUL_MESSAGE)
  .regex(NO_UNPAIRED_SURROGATE, UNPAIRED_SURROGATE_MESSAGE);

export const MAX_AMOUNT = 999_999_999_999;

export const AuthorizationRequestSchema = z.object({
  // SPEC §6 fixes the message type of an authorization request: anything else is malformed (30).
  mti: z.literal('0100', { error: 'must be "0100" (authorization request)' }).openapi({ example: '0100' }),
  pan: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').openapi({ example: '4657810000000000' }),
  expiry: digits(4).openapi({ description: 'YYMM', example: '2911' }),
  cvv2: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits').optional(),
  processingCode: digits(6).openapi({ example: '000000' }),
  amount: z.number().int('must be an integer number of minor units').min(-MAX_AMOUNT).max(MAX_AMOUNT)
    .openapi({ description: 'Minor units of the transaction currency', example: 12500 }),
  currency: digits(3).openapi({ description: 'ISO 4217 numeric', example: '414' }),
  transmissionTime: z.iso.datetime({ offset: true, local: true, message: 'must be an ISO 8601 date-time' }).openapi({ example: '2026-11-23T10:15:00Z' }),
  stan: digits(6).openapi({ example: '000123' }),
  rrn: z.string().regex(/^[A-Za-z0-9]{12}$/, 'must be 12 letters or digits').openapi({ example: '633012345678' }),
  mcc: digits(4).openapi({ example: '5732' }),
  posEntryMode: digits(3).openapi({ example: '812' }),
  posConditionCode: digits(2).openapi({ example: '59' }),
  acquirerId: text(32).openapi({ example: '412345' }),
  merchantId: text(32).openapi({ example: 'M-1001' }),
  merchantName: text(100).openapi({ example: 'Gulf Books Online' }),
  merchantCountry: z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 code').openapi({ example: 'KW' }),
  terminalId: text(32, 0).optional(),
  terminalType: text(20, 0).optional(),
  pinPresent: z.boolean().optional(),
  eci: digits(2).optional(),
  cavv: text(64).optional(),
  initialTransactionId: text(64).optional().openapi({
    description: 'Credential on file (entry mode 10): the authorizationId of the approved purchase or account verification (amount 0) that stored the card at this merchantId; without CVV2, only such a purchase is approved',
  }),
  billingAmount: z.number().int().min(0).max(MAX_AMOUNT).optional().openapi({
    description: "The network's conversion to the cardholder billing currency (KWD fils, ISO DE 6). In a foreign currency the issuer bills it plus its FX markup instead of its own rate; ignored for currency 414",
  }),
}).openapi('AuthorizationRequest');

export const AuthorizationResponseSchema = z.object({
  responseCode: z.string().openapi({ description: '00 approved (a purchase, or `refund_approved` for processing code 20); 85 `verified` for an account verification (amount 0); any other code declines', example: '00' }),
  approved: z.boolean().openapi({ description: 'True exactly when responseCode is 00' }),
  reason: z.string().openapi({ example: 'approved' }),
  authorizationId: z.string(),
  authCode: z.string().regex(/^[0-9A-Z]{6}$/).optional().openapi({ description: 'Only when approved (a purchase or a refund)' }),
  billingAmount: z.number().int().optional(),
  billingCurrency: z.string().openapi({ example: '414' }),
  overLimit: z.boolean().openapi({ description: 'True when this approval used the over-limit allowance (SPEC §3)' }),
}).openapi('AuthorizationResponse');

/** A reversal's fields (0400, and 0420 with its optional mti): the original by id, or by acquirerId + rrn. */
const reversalFields = z.object({
  authorizationId: text(64).optional(),
  acquirerId: text(32).optional(),
  rrn: z.string().regex(/^[A-Za-z0-9]{12}$/, 'must be 12 letters or digits').optional(),
  stan: digits(6),
  transmissionTime: z.iso.datetime({ offset: true, local: true, message: 'must be an ISO 8601 date-time' }),
  replacementAmount: z.number().int().min(0).max(MAX_AMOUNT).optional()
    .openapi({ description: 'What remains authorized, in the original currency; 0 or omitted = full reversal' }),
});
const namesOriginal: [(r: { authorizationId?: string; acquirerId?: string; rrn?: string }) => boolean, { message: string; path: string[] }] = [
  (r) => r.authorizationId !== undefined || (r.acquirerId !== undefined && r.rrn !== undefined),
  { message: 'give authorizationId, or acquirerId and rrn', path: ['authorizationId'] },
];

export const ReversalRequestSchema = reversalFields.refine(...namesOriginal).openapi('ReversalRequest');

export const ReversalResponseSchema = z.object({
  responseCode: z.string(),
  approved: z.boolean(),
  reason: z.string(),
  authorizationId: z.string().optional(),
  reversedAmount: z.number().int(),
  remainingAmount: z.number().int().optional(),
}).openapi('ReversalResponse');

export const ClearingBatchSchema = z.object({
  records: z.array(z.unknown()).max(200_000).openapi({
    description: 'Clearing records: { pan?, rrn, authCode?, acquirerId, amount, currency, processingCode, mcc, merchantName, '
      + 'clearingSequence? (1-based, default 1), clearingCount? (default 1), billingAmount? (fils, the network\'s conversion), originalRrn? (a refund\'s purchase) }. '
      + 'Each is validated on its own; a malformed one is answered `rejected` with code 30. A split shipment clears one '
      + 'authorization in parts: acquirerId + rrn + processingCode + clearingSequence identify a part; a sequence below 1, '
      + 'a count below 1 or a sequence above the count is `rejected` with code 30 and reason `invalid_clearing_sequence`.',
  }),
}).openapi('ClearingBatch');

export const ClearingResultsSchema = z.object({
  results: z.array(z.object({
    index: z.number().int(),
    status: z.enum(['posted', 'duplicate', 'posted_unmatched', 'rejected']),
    transactionId: z.string().optional(),
    code: z.string().optional().openapi({ description: 'Why a record was rejected: the ISO response code (30 format, 12 currency, 13 amount, 14 card, 25 no original, 57 not permitted), or acquirer_not_permitted when this client is not bound to the record\'s acquirerId' }),
    reason: z.string().optional().openapi({ description: 'Why a record was rejected when the code alone does not say (invalid_clearing_sequence)' }),
    needsReview: z.boolean().optional().openapi({ description: 'Present (true) when the posting is flagged for review' }),
  })),
}).openapi('ClearingResults');

// Advices (SPEC §5, §6): the network's stand-in decisions, always acknowledged with "00".
export const AuthorizationAdviceRequestSchema = AuthorizationRequestSchema.extend({
  mti: z.literal('0120', { error: 'must be "0120" (authorization advice)' }).openapi({ example: '0120' }),
  responseCode: z.string().regex(/^[0-9A-Z]{2}$/, 'must be 2 digits or capital letters').default('00')
    .openapi({ description: 'The network\'s decision; "00" approved, anything else declined', example: '00' }),
  authCode: z.string().regex(/^[0-9A-Z]{6}$/, 'must be 6 digits or capital letters').optional()
    .openapi({ description: 'The approval code the network gave (recorded for clearing); one is made when an approval lacks it' }),
  billingAmount: z.number().int().min(0).max(MAX_AMOUNT).optional()
    .openapi({ description: 'The network\'s conversion in fils (ISO DE 6); billed with the FX markup. Ignored for currency 414' }),
}).openapi('AuthorizationAdviceRequest');

export const AuthorizationAdviceResponseSchema = z.object({
  responseCode: z.string().openapi({ description: '"00" (acknowledged); "94" for a reused key with other content' }),
  reason: z.string().optional(),
  authorizationId: z.string(),
  billingAmount: z.number().int().optional(),
  needsReview: z.boolean().openapi({ description: 'The issuer\'s own rules would have decided otherwise (or nothing could be held)' }),
}).openapi('AuthorizationAdviceResponse');

export const ReversalAdviceRequestSchema = reversalFields.extend({
  mti: z.literal('0420', { error: 'must be "0420" (reversal advice)' }).optional(),
}).refine(...namesOriginal).openapi('ReversalAdviceRequest');

export const ReversalAdviceResponseSchema = z.object({
  responseCode: z.string().openapi({ description: '"00" (acknowledged); "94" for a reused key with other content' }),
  reason: z.string().optional(),
  authorizationId: z.string().optional(),
  reversedAmount: z.number().int(),
  needsReview: z.boolean().openapi({ description: 'true when no original was found' }),
}).openapi('ReversalAdviceResponse');
