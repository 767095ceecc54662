import { z } from '@hono/zod-openapi';
import { MIN_PASSWORD_LENGTH } from '../../crypto/password.js';
import { RATE_PATTERN } from '../../domain/fx.js';

export const CreateCustomerSchema = z.object({
  username: z.string().regex(/^[A-Za-z0-9._@-]{3,64}$/, '3 to 64 letters, digits or . _ @ -'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
  name: z.string().min(1).max(200),
  currentAccountBalance: z.number().int('fils, as an integer').min(0).max(1_000_000_000_000),
  language: z.enum(['en', 'ar']).optional(),
}).openapi('CreateCustomer');

export const CustomerCreatedSchema = z.object({
  id: z.string(), username: z.string(), name: z.string(), currentAccountId: z.string(),
}).openapi('CustomerCreated');

export const CustomerSchema = z.object({
  id: z.string(), username: z.string(), name: z.string(), language: z.string(), totpEnrolled: z.boolean(),
  createdAt: z.string(), currentAccountId: z.string().nullable(),
  currentAccounts: z.array(z.object({ id: z.string(), balance: z.number().int(), currency: z.string() })),
  cards: z.array(z.object({ id: z.string(), status: z.string(), accountId: z.string(), last4: z.string() })),
}).openapi('Customer');

const mcc = z.string().regex(/^\d{4}$/, 'must be 4 digits');

export const ProductSchema = z.object({
  code: z.string(),
  bin: z.string().regex(/^\d{6,8}$/, 'must be 6 to 8 digits'),
  allowedLimits: z.array(z.number().int().positive()).min(1),
  overLimitMarginPercent: z.number().int().min(0).max(100),
  blockedMccs: z.array(mcc),
  holdLifetimeDays: z.number().int().min(1).max(60),
  fxMarkupBps: z.number().int().min(0).max(5000),
  threeDSecureThreshold: z.number().int().min(0).nullable(),
  allowMailOrder: z.boolean(),
  frictionlessCeiling: z.number().int().min(0).max(999_999_999_999)
    .openapi({ description: '3-D Secure is frictionless only below this billing amount (fils), and only at a merchant the card knows', example: 20000 }),
}).openapi('Product');

// `code` may be sent back as read (it cannot change); unknown fields are ignored.
export const ProductUpdateSchema = ProductSchema.partial().openapi('ProductUpdate');

export const FxRateSchema = z.object({
  rate: z.string().regex(RATE_PATTERN, 'a decimal string such as "0.3072"'),
}).openapi('FxRateUpdate');

export const FxRateResultSchema = z.object({
  currency: z.string(), numericCode: z.string(), exponent: z.number().int(), rate: z.string(), updatedAt: z.string(),
}).openapi('FxRate');

export const BlockCardSchema = z.object({ reason: z.string().min(1).max(500) }).openapi('BlockCard');
export const BlockedCardSchema = z.object({ id: z.string(), status: z.string(), reason: z.string() });

export const NetworkClientRequestSchema = z.object({
  name: z.string().min(1).max(100).optional(),
  acquirerIds: z.array(z.string().regex(/^\d{1,11}$/, 'must be 1 to 11 digits (ISO DE 32)')).min(1).max(100)
    .openapi({ description: 'The acquirer ids (ISO DE 32) this client may speak for; a message naming any other is refused with 403 acquirer_not_permitted', example: ['412345'] }),
}).openapi('NewNetworkClient');
export const NetworkClientSchema = z.object({
  keyId: z.string(), secret: z.string(), acquirerIds: z.array(z.string()),
}).openapi('NetworkClient');

export const StaffKeyRequestSchema = z.object({
  name: z.string().min(1).max(100),
  role: z.enum(['ops', 'auditor', 'admin']),
}).openapi('NewStaffKey');
export const StaffKeySchema = z.object({
  id: z.string(), name: z.string(), role: z.string(), key: z.string(), createdAt: z.string(),
}).openapi('StaffKey');

export const IdParam = z.object({ id: z.string().min(1).max(64) });
