import { z } from '@hono/zod-openapi';
import { normalizeDigits } from '../../domain/digits.js';

// Arabic-Indic digits (٠–٩, ۰–۹) are accepted and read as 0–9 (domain/digits.ts), as in the pages' forms.
export const Otp = z.preprocess((v) => (typeof v === 'string' ? normalizeDigits(v.trim()) : v),
  z.string().regex(/^\d{6}$/, 'must be 6 digits')).openapi({ type: 'string', example: '123456', description: '6 digits; Arabic-Indic digits are accepted' });

export const LoginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  otp: Otp.optional(),
}).openapi('Login');

export const SessionSchema = z.object({ token: z.string(), expiresAt: z.string() }).openapi('Session');

export const TotpEnrolRequestSchema = z.object({ otp: Otp.optional() }).openapi('TotpEnrolRequest');
export const TotpEnrolmentSchema = z.object({ secret: z.string(), otpauthUrl: z.string() }).openapi('TotpEnrolment');
export const OtpOnlySchema = z.object({ otp: Otp }).openapi('OtpOnly');

export const AccountsSchema = z.object({
  data: z.array(z.object({ id: z.string(), balance: z.number().int(), currency: z.string() })),
}).openapi('CurrentAccounts');

export const CardSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  status: z.enum(['active', 'frozen', 'blocked', 'lost', 'stolen', 'replaced', 'cancelled', 'expired']),
  maskedPan: z.string(),
  last4: z.string(),
  expiry: z.string().openapi({ description: 'YYYY-MM' }),
  limit: z.number().int(),
  outstanding: z.number().int(),
  available: z.number().int(),
  currency: z.literal('KWD'),
  overLimit: z.object({ enabled: z.boolean(), used: z.boolean(), margin: z.number().int(), usedAt: z.string().nullable() }).openapi({ description: 'The over-limit allowance: switched on, used, and how far past the limit it may go (margin, fils)' }),
  channels: z.object({ ecommerce: z.literal(true), atm: z.literal(false), cardPresent: z.literal(false) }),
  createdAt: z.string(),
}).openapi('Card');

export const CardListSchema = z.object({ data: z.array(CardSchema) }).openapi('CardList');

export const RequestCardSchema = z.object({
  limit: z.number().int('fils, as an integer').openapi({ description: 'Credit limit in fils: 100000 or 200000', example: 100000 }),
}).openapi('RequestCard');

export const RevealSchema = z.object({
  pan: z.string(), expiry: z.string().openapi({ description: 'YYMM' }), cvv2: z.string(),
}).openapi('RevealedCard');

export const ChangeLimitSchema = z.object({
  limit: z.number().int('fils, as an integer'),
  otp: Otp.optional(),
}).openapi('ChangeLimit');

export const OverLimitSchema = z.object({ enabled: z.boolean(), otp: Otp.optional() })
  .openapi('OverLimitSwitch', { description: 'Switches the over-limit allowance on (needs otp) or off' });

export const CardIdParam = z.object({ id: z.string().min(1).max(64) });

export const ReportCardSchema = z.object({ reason: z.enum(['lost', 'stolen']) }).openapi('ReportCard');
/** Step-up code; a missing one is answered 403 step_up_required rather than a field error. */
export const StepUpSchema = z.object({ otp: Otp.optional() }).openapi('StepUp');

export const PageQuery = z.object({
  // A notification cursor names up to 8 card accounts' resume points (domain/cursor.ts): ~360 characters.
  cursor: z.string().max(512).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: '1–100, default 20' }),
});

export const TransactionSchema = z.object({
  id: z.string(),
  type: z.enum(['authorization', 'reversal', 'clearing', 'refund', 'payment']).openapi({
    description: "`refund`: a merchant's refund, announced by its authorization (pending until its clearing posts it) or posted by a clearing",
  }),
  status: z.enum(['pending', 'posted', 'reversed', 'expired', 'declined', 'verified']).openapi({
    description: '`verified`: an account verification (amount 0) by a merchant storing the card; nothing was charged',
  }),
  amount: z.number().int().openapi({ description: 'In the minor units of `currency`' }),
  currency: z.string().openapi({ description: 'ISO 4217 alphabetic', example: 'KWD' }),
  billingAmount: z.number().int().nullable().openapi({ description: 'KWD fils; null when it could not be computed' }),
  merchantName: z.string().nullable(),
  mcc: z.string().nullable(),
  responseCode: z.string().nullable(),
  reason: z.string().nullable(),
  description: z.string().openapi({ description: "In the cardholder's language" }),
  overLimit: z.boolean().openapi({ description: 'True when this authorization used the over-limit allowance' }),
  createdAt: z.string(),
}).openapi('Transaction');

export const TransactionPageSchema = z.object({
  data: z.array(TransactionSchema), nextCursor: z.string().nullable(),
}).openapi('TransactionPage');

export const NotificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.enum(['info', 'alert']),
  message: z.string(),
  cardId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  read: z.boolean(),
  createdAt: z.string(),
}).openapi('Notification');

export const NotificationPageSchema = z.object({
  data: z.array(NotificationSchema), nextCursor: z.string().nullable(),
}).openapi('NotificationPage');

export const SessionInfoSchema = z.object({
  id: z.string(), current: z.boolean(), createdAt: z.string(), lastSeenAt: z.string(),
  ip: z.string().nullable(), userAgent: z.string().nullable(),
}).openapi('SessionInfo');

export const SessionListSchema = z.object({ data: z.array(SessionInfoSchema) }).openapi('SessionList');
export const SessionIdParam = z.object({ id: z.string().min(1).max(64) });
