// One place maps every error to RFC 9457 problem+json with a stable `code` (SPEC §6).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ERROR_STATUS, ServiceError, type ErrorCode } from '../service/errors.js';
import { isDatabaseUnavailable } from '../store/db-unavailable.js';

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

/** Where a problem is answered: the request id to quote, and the path (network paths add SPEC §6's code). */
export interface ProblemScope { requestId?: string; path: string }

export function problemDocument(scope: ProblemScope, status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  // Extra members never override the RFC 9457 ones (a service's `status` must not replace the HTTP status).
  const body: Record<string, unknown> = {
    ...extra,
    type: `https://errors.internet-shopping-card.example/${code}`,
    title: TITLES[code as ErrorCode] ?? code.replace(/_/g, ' ').replace(/^./, (s) => s.toUpperCase()),
    status,
    detail,
    code,
  };
  if (scope.requestId) body.requestId = scope.requestId;
  // Malformed network requests also carry the ISO response code (SPEC §6).
  if (status === 400 && scope.path.startsWith('/v1/network/')) {
    body.responseCode = '30';
    body.reason = 'format_error';
  }
  return body;
}

const scopeOf = (c: Context): ProblemScope => ({ requestId: c.get('requestId' as never) as string | undefined, path: c.req.path });

export function problemBody(c: Context, status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return problemDocument(scopeOf(c), status, code, detail, extra);
}

export function problem(c: Context, status: number, code: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(problemBody(c, status, code, detail, extra)), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** What an error answers: status, stable code, detail, extra members and headers. */
export interface ProblemSpec { status: number; code: string; detail: string; extra?: Record<string, unknown>; headers?: Record<string, string> }

/** Maps anything thrown in a handler. Never leaks internals: unknown errors are a bare 500. */
export function problemFor(error: unknown): ProblemSpec {
  if (error instanceof ServiceError) {
    const headers: Record<string, string> = error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return { status: error.status, code: error.code, detail: error.message, extra: error.extra, headers };
  }
  if (error instanceof ValidationError) {
    return { status: 400, code: error.code, detail: error.code === 'invalid_json' ? 'The body is not valid JSON.' : 'The request has invalid or missing fields.', extra: { errors: error.errors } };
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413) return { status, code: 'payload_too_large', detail: 'The body is larger than this endpoint accepts.' };
    if (status === 415) return { status, code: 'unsupported_media_type', detail: 'Send the body as application/json.' };
    if (status === 400) return { status, code: 'invalid_json', detail: 'The body is not valid JSON.', extra: { errors: [{ path: '(body)', message: 'malformed JSON' }] } };
    if (status === 401) return { status, code: 'unauthorized', detail: error.message || 'Authentication required.' };
    return { status, code: status === 404 ? 'not_found' : 'internal_error', detail: error.message };
  }
  // A failover or a dead database: the service is fine and comes back by itself, so 503 and a retry.
  if (isDatabaseUnavailable(error)) {
    return { status: 503, code: 'database_unavailable', detail: 'The database cannot be reached at the moment. Try again shortly.', headers: { 'retry-after': '1' } };
  }
  return { status: 500, code: 'internal_error', detail: 'Something went wrong on our side. Quote the request id when you contact us.' };
}

export function errorToResponse(error: unknown, c: Context): Response {
  const p = problemFor(error);
  return problem(c, p.status, p.code, p.detail, p.extra, p.headers);
}

export { ERROR_STATUS };
