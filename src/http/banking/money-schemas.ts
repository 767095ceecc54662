// Wire formats of payments and statements (SPEC §6).
import { z } from '@hono/zod-openapi';

export const PaymentRequestSchema = z.object({
  amount: z.number().int('fils, as an integer').positive('must be more than zero').max(1_000_000_000_000)
    .openapi({ description: 'Fils', example: 25000 }),
  fromAccountId: z.string().min(1).max(64).optional().openapi({ description: 'One of your current accounts (default: your first one)' }),
}).openapi('PaymentRequest');

export const PaymentSchema = z.object({
  id: z.string(), cardId: z.string(), accountId: z.string(), fromAccountId: z.string(), amount: z.number().int(),
  currency: z.literal('KWD'), status: z.literal('posted'), outstanding: z.number().int(), available: z.number().int(),
  createdAt: z.string(),
}).openapi('Payment');

export const StatementParams = z.object({
  id: z.string().min(1).max(64),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').openapi({ example: '2026-11' }),
});

export const StatementSchema = z.object({
  cardId: z.string(), accountId: z.string(), month: z.string(), currency: z.literal('KWD'), language: z.enum(['en', 'ar']),
  openingBalance: z.number().int().openapi({ description: 'Fils owed at the start of the month (negative: in credit)' }),
  closingBalance: z.number().int(),
  lines: z.array(z.object({
    date: z.string().openapi({ description: 'Kuwait calendar date, YYYY-MM-DD' }),
    description: z.string(),
    amount: z.number().int().openapi({ description: 'Signed fils: positive adds to what is owed' }),
    type: z.enum(['purchase', 'refund', 'payment', 'other']),
    transactionId: z.string(),
    postedAt: z.string(),
  })),
}).openapi('Statement');
