// Shared OpenAPI pieces: the problem body, and response helpers for route definitions.
import { z } from '@hono/zod-openapi';

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  responseCode: z.string().optional(),
  reason: z.string().optional(),
}).openapi('Problem');

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true as const,
  description,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const commonErrors = {
  400: problemResponse('Malformed request'),
  401: problemResponse('Not authenticated'),
  413: problemResponse('Body too large'),
  415: problemResponse('Wrong content type'),
  429: problemResponse('Too many attempts'),
};

/** Network routes whose message names an acquirer (SPEC §6). */
export const networkErrors = {
  403: problemResponse('acquirer_not_permitted: this network client is not bound to the acquirer id the message names (no responseCode)'),
};
