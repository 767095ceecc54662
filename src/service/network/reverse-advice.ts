// Reversal advices (ISO 0420, SPEC §5): the network reversed on the issuer's behalf. Always
// acknowledged ("00"); the hold is released as a reversal releases it (reverse.ts, which also gives
// the over-limit allowance back on a full reversal). One for an unknown original is acknowledged
// too, flagged for review. Each is kept (reversal_advices) so that a retransmission gets the first
// answer and changes nothing, and the same key with other content is 94, as for authorizations.
import { transmissionInstant } from '../../domain/transmission-time.js';
import { newId } from '../../ids.js';
import { appendAudit } from '../../store/audit.repository.js';
import type { Trx } from '../../store/db.js';
import type { ServiceContext } from '../context.js';
import { idempotencyKey, requestHash } from './request-identity.js';
import { reverse, type ReversalRequest } from './reverse.js';

export interface ReversalAdviceRequest extends ReversalRequest { mti?: string }

export interface ReversalAdviceResponse {
  responseCode: string;
  reason?: string;
  authorizationId?: string;
  reversedAmount: number;
  needsReview: boolean;
}

/**
 * The client's own key space, as an authorization's (the time compared as an instant, to the
 * second); kept in a table of their own, so they never meet an authorization's keys.
 */
export function reversalAdviceKey(networkClient: string, r: ReversalAdviceRequest): string {
  return idempotencyKey(networkClient, { acquirerId: r.acquirerId ?? '', stan: r.stan, transmissionTime: r.transmissionTime });
}

export async function reverseAdvice(trx: Trx, ctx: ServiceContext, r: ReversalAdviceRequest, networkClient: string): Promise<ReversalAdviceResponse> {
  const key = reversalAdviceKey(networkClient, r);
  // The MTI is optional on the wire: a repeat with or without it is the same message; and its time
  // is hashed as the instant the key compares, so a respelled retransmission is not a 94.
  const { mti: _mti, ...content } = r;
  const hash = requestHash({ ...content, transmissionTime: transmissionInstant(content.transmissionTime) });
  const previous = await trx.selectFrom('reversal_advices').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (previous) {
    if (previous.request_hash !== hash) return { responseCode: '94', reason: 'duplicate_transmission', reversedAmount: 0, needsReview: false };
    return {
      responseCode: '00', ...(previous.authorization_id ? { authorizationId: previous.authorization_id } : {}),
      reversedAmount: previous.reversed_fils, needsReview: previous.needs_review === 1,
    };
  }
  const nowMs = ctx.clock.now();
  const result = await reverse(trx, ctx, content, networkClient);
  const unknown = result.responseCode === '25';
  const original = result.authorizationId
    ? await trx.selectFrom('authorizations').select('account_id').where('id', '=', result.authorizationId).executeTakeFirst()
    : undefined;
  const id = newId('radv', nowMs);
  await trx.insertInto('reversal_advices').values({
    id, idempotency_key: key, request_hash: hash, network_client: networkClient, acquirer_id: r.acquirerId ?? null,
    rrn: r.rrn ?? null, authorization_id: result.authorizationId ?? null, account_id: original?.account_id ?? null,
    replacement_amount: r.replacementAmount ?? 0, reversed_fils: result.reversedAmount, needs_review: unknown ? 1 : 0,
    created_at: nowMs,
  }).execute();
  await appendAudit(trx, {
    accountId: original?.account_id ?? null, actorType: 'network', actorId: networkClient,
    action: unknown ? 'reversal_advice.unknown_original' : 'reversal_advice.applied', subject: result.authorizationId ?? id,
    after: { reversalAdviceId: id, reversedFils: result.reversedAmount, replacementAmount: r.replacementAmount ?? 0, needsReview: unknown },
    nowMs,
  });
  return {
    responseCode: '00', ...(result.authorizationId ? { authorizationId: result.authorizationId } : {}),
    reversedAmount: result.reversedAmount, needsReview: unknown,
  };
}
