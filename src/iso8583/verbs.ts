// The verbs an ISO 8583 message runs: the very ones the JSON routes run, through the same paths
// (authorizations through answerAuthorization, hence group commit or the worker thread and the
// same idempotency; reversals through runNetworkVerb). Nothing here decides anything.
import type { AppDeps } from '../http/env.js';
import { answerAuthorization } from '../http/network/authorizations.js';
import { AuthorizationAdviceRequestSchema, AuthorizationRequestSchema, ReversalAdviceRequestSchema } from '../http/network/schemas.js';
import { adviceIdempotencyKey, advise } from '../service/network/advise.js';
import { reverseAdvice } from '../service/network/reverse-advice.js';
import type { AuthorizationResponse } from '../service/network/authorization-response.js';
import { idempotencyKey } from '../service/network/request-identity.js';
import { reverse, type ReversalResponse } from '../service/network/reverse.js';
import { assertAcquirerPermitted } from '../service/network/acquirer-scope.js';
import { runNetworkVerb } from '../runtime/index.js';
import { findAuthorizationIdByKeys } from '../store/authorization-originals.repository.js';
import type { ReversalMessage } from './mapping.js';

type Json = Record<string, unknown>;

export interface AdviceAnswer { responseCode: string; authorizationId?: string; billingAmount?: number; needsReview?: boolean }

export interface IsoVerbs {
  /** A validated authorization body (the JSON route's), or a field error (30). */
  authorize(body: Json, networkClient: string, sourceIp: string | null): Promise<AuthorizationResponse | { invalid: string }>;
  reverse(message: ReversalMessage, networkClient: string): Promise<ReversalResponse>;
  /** 0120 → the authorization-advice verb with the JSON body of POST /v1/network/authorization-advices. */
  authorizationAdvice: (body: Json, networkClient: string, sourceIp: string | null) => Promise<AdviceAnswer | { invalid: string }>;
  /**
   * 0420 → the reversal-advice verb with the JSON body of POST /v1/network/reversal-advices, built by
   * reversalAdviceBody from the message and the original found by originalKeys.
   */
  reversalAdvice: (message: ReversalMessage, networkClient: string) => Promise<AdviceAnswer & { reversedAmount?: number }>;
}

/**
 * The idempotency keys DE 90 can stand for, in the calling client's key space: its acquirer id is
 * zero-padded to 11 digits (DE 32 is not), and an advice (012x) keeps keys of its own.
 */
export function originalKeys(m: ReversalMessage, networkClient: string): string[] {
  const digits = m.original.acquirerId.replace(/^0+(?=\d)/, '');
  const keys = new Set<string>();
  for (let width = digits.length; width <= 11; width++) {
    const identity = { acquirerId: digits.padStart(width, '0'), stan: m.original.stan, transmissionTime: m.originalTransmissionTime };
    keys.add(m.original.mti.startsWith('012') ? adviceIdempotencyKey(networkClient, identity) : idempotencyKey(networkClient, identity));
  }
  return [...keys];
}

/** The JSON body of a reversal advice: the original by id when found, else by acquirer + RRN. */
export function reversalAdviceBody(m: ReversalMessage, authorizationId: string | undefined): Json {
  const body: Json = { mti: '0420' };
  if (authorizationId) body.authorizationId = authorizationId;
  else {
    body.acquirerId = m.original.acquirerId.replace(/^0+(?=\d)/, '');
    if (m.rrn !== undefined) body.rrn = m.rrn;
  }
  body.stan = m.stan;
  body.transmissionTime = m.transmissionTime;
  if (m.replacementAmount !== undefined) body.replacementAmount = m.replacementAmount;
  return body;
}

export function verbsFor(deps: AppDeps): IsoVerbs {
  return {
    // Not async: the engine's promise is handed back as it is, not wrapped in another.
    authorize(body, networkClient, sourceIp) {
      const parsed = AuthorizationRequestSchema.safeParse(body);
      if (!parsed.success) return Promise.resolve({ invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return answerAuthorization(deps, { request: parsed.data, networkClient, sourceIp });
    },
    async reverse(m, networkClient) {
      if (m.acquirerId !== undefined) await assertAcquirerPermitted(deps, networkClient, m.acquirerId);
      return runNetworkVerb(deps, async (trx) => {
        const authorizationId = await findAuthorizationIdByKeys(trx, originalKeys(m, networkClient), networkClient);
        if (!authorizationId) return { responseCode: '25', approved: false, reason: 'unknown_original', reversedAmount: 0 };
        return reverse(trx, deps, {
          authorizationId, stan: m.stan, transmissionTime: m.transmissionTime, replacementAmount: m.replacementAmount,
        }, networkClient);
      });
    },
    async authorizationAdvice(body, networkClient, sourceIp) {
      const parsed = AuthorizationAdviceRequestSchema.safeParse(body);
      if (!parsed.success) return { invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      await assertAcquirerPermitted(deps, networkClient, parsed.data.acquirerId);
      const outcome = await runNetworkVerb(deps, (trx) => advise(trx, deps, { request: parsed.data, networkClient, sourceIp }));
      for (const customerId of outcome.notify) deps.events.publish(customerId);
      return outcome.response;
    },
    async reversalAdvice(m, networkClient) {
      if (m.acquirerId !== undefined) await assertAcquirerPermitted(deps, networkClient, m.acquirerId);
      return runNetworkVerb(deps, async (trx) => {
        const authorizationId = await findAuthorizationIdByKeys(trx, originalKeys(m, networkClient), networkClient);
        const body = ReversalAdviceRequestSchema.safeParse(reversalAdviceBody(m, authorizationId));
        // No original and no DE 37 to name one by: acknowledged for review, like any unknown original.
        if (!body.success) return { responseCode: '00', reversedAmount: 0, needsReview: true };
        return reverseAdvice(trx, deps, body.data, networkClient);
      });
    },
  };
}
