// What the network hears back for an authorization (SPEC §6): built from the stored row, so that a
// retransmission is answered exactly as the original was.
import type { Authorization } from '../../store/schema.js';

/** The cardholder's billing currency, ISO 4217 numeric (KWD). */
export const BILLING_CURRENCY = '414';

export interface AuthorizationResponse {
  responseCode: string;
  approved: boolean;
  reason: string;
  authorizationId: string;
  authCode?: string;
  billingAmount?: number;
  billingCurrency: string;
  overLimit: boolean;
}

export function responseFromRow(row: Authorization): AuthorizationResponse {
  // Built in the wire's key order, optional fields in their place (no spreads: every answer).
  const response: AuthorizationResponse = {
    responseCode: row.response_code,
    approved: row.approved === 1,
    reason: row.reason,
    authorizationId: row.id,
  } as AuthorizationResponse;
  if (row.auth_code) response.authCode = row.auth_code;
  if (row.billing_fils !== null) response.billingAmount = row.billing_fils;
  response.billingCurrency = BILLING_CURRENCY;
  response.overLimit = row.over_limit === 1;
  return response;
}

/** The same key with other content (SPEC §4): 94, naming the original, creating nothing. */
export function duplicateTransmission(originalId: string): AuthorizationResponse {
  return {
    responseCode: '94', approved: false, reason: 'duplicate_transmission', authorizationId: originalId,
    billingCurrency: BILLING_CURRENCY, overLimit: false,
  };
}
