// One place maps every error to RFC 9457 problem+json with a stable `code` (SPEC §6).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ERROR_STATUS, ServiceError, type ErrorCode } from '../service/errors.js';

export interface FieldError { path: string; message: string }

export class ValidationError extends Error {
  constructor(readonly errors: FieldError[], readonly code: 'validation_error' | 'invalid_json' = 'validation_error') {
    super('request validation failed');
  }
}

export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(body)', message: i.message }));
}

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_error: 'Request validation failed',
  invalid_json: 'Malformed JSON body',
  not_found: 'Not found',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  internal_error: 'Internal error',
};

export function problemBody(c: Context, status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  // Extra members never override the RFC 9457 ones (a service's `status` must not replace the HTTP status).
  const body: Record<string, unknown> = {
    ...extra,
    type: `https://errors.internet-shopping-card.example/${code}`,
    title: TITLES[code as ErrorCode] ?? code.replace(/_/g, ' ').replace(/^./, (s) => s.toUpperCase()),
    status,
    detail,
    code,
  };
  const requestId = c.get('requestId' as never) as string | undefined;
  if (requestId) body.requestId = requestId;
  // Malformed network requests also carry the ISO response code (SPEC §6).
  if (status === 400 && c.req.path.startsWith('/v1/network/')) {
    body.responseCode = '30';
    body.reason = 'format_error';
  }
  return body;
}

export function problem(c: Context, status: number, code: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(problemBody(c, status, code, detail, extra)), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Maps anything thrown in a handler. Never leaks internals: unknown errors are a bare 500. */
export function errorToResponse(error: unknown, c: Context): Response {
  if (error instanceof ServiceError) {
    const headers: Record<string, string> = error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return problem(c, error.status, error.code, error.message, error.extra, headers);
  }
  if (error instanceof ValidationError) {
    return problem(c, 400, error.code, error.code === 'invalid_json' ? 'The body is not valid JSON.' : 'The request has invalid or missing fields.', { errors: error.errors });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413) return problem(c, 413, 'payload_too_large', 'The body is larger than this endpoint accepts.');
    if (status === 415) return problem(c, 415, 'unsupported_media_type', 'Send the body as application/json.');
    if (status === 400) {
      return problem(c, 400, 'invalid_json', 'The body is not valid JSON.', { errors: [{ path: '(body)', message: 'malformed JSON' }] });
    }
    if (status === 401) return problem(c, 401, 'unauthorized', error.message || 'Authentication required.');
    return problem(c, status, status === 404 ? 'not_found' : 'internal_error', error.message);
  }
  return problem(c, 500, 'internal_error', 'Something went wrong on our side. Quote the request id when you contact us.');
}

export { ERROR_STATUS };
