import { z } from '@hono/zod-openapi';

export const Otp = z.string().regex(/^\d{6}$/, 'must be 6 digits').openapi({ example: '123456' });

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
  overLimit: z.object({ enabled: z.boolean(), used: z.boolean(), margin: z.number().int(), usedAt: z.string().nullable() }),
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

export const OverLimitSchema = z.object({ enabled: z.boolean(), otp: Otp.optional() }).openapi('OverLimitSwitch');

export const CardIdParam = z.object({ id: z.string().min(1).max(64) });

export const ReportCardSchema = z.object({ reason: z.enum(['lost', 'stolen']) }).openapi('ReportCard');
/** Step-up code; a missing one is answered 403 step_up_required rather than a field error. */
export const StepUpSchema = z.object({ otp: Otp.optional() }).openapi('StepUp');
