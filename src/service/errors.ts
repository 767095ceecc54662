// Typed service errors with a closed set of codes; mapped to problem+json in one place (http/problem.ts).
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  otp_required: 401,
  invalid_otp: 401,
  step_up_required: 403,
  invalid_signature: 401,
  session_expired: 401,
  forbidden: 403,
  csrf_rejected: 403,
  acquirer_not_permitted: 403,
  not_found: 404,
  method_not_allowed: 405,
  card_exists: 409,
  limit_below_outstanding: 409,
  limit_not_allowed: 409,
  invalid_transition: 409,
  outstanding_balance: 409,
  insufficient_funds: 409,
  overpayment: 409,
  nothing_owed: 409,
  totp_not_enrolled: 409,
  totp_already_enrolled: 409,
  conflict: 409,
  idempotency_conflict: 409,
  username_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked: 429,
  rate_limited: 429,
  internal_error: 500,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly retryAfterSeconds?: number,
    private readonly statusOverride?: number,
  ) {
    super(message);
  }
  get status(): number { return this.statusOverride ?? ERROR_STATUS[this.code]; }
}

/** Field errors raised by a verb (e.g. a limit the product does not offer): a 400 like zod's. */
export function fieldError(path: string, message: string): ServiceError {
  return new ServiceError('validation_error', 'The request has invalid or missing fields.', { errors: [{ path, message }] });
}

export const notFound = (what: string) => new ServiceError('not_found', `${what} not found`);
