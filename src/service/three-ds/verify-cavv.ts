// Checks the CAVV an authorization carries against our 3-D Secure authentications (SPEC §7):
// it must name a successful authentication for this card, carry a MAC over this purchase's PAN,
// amount, currency and merchant, be at most 10 minutes old, and not have been used before.
// Checking does not use it up: an approved authorization does, with useCavv in its transaction (a
// declined one leaves it for the merchant's retry). Only an ECI that claims authentication (05/02)
// is checked; 06/01 "attempted" counts as not authenticated. The answer says how the cardholder was
// authenticated: only a challenge they approved waives CVV2.
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { claimsAuthentication } from '../../domain/channel.js';
import type { Authentication } from '../../domain/rules.js';
import { unpackCavv } from '../../domain/three-ds.js';
import type { Trx } from '../../store/db.js';
import type { Card } from '../../store/schema.js';
import { consumeCavvByRef, findAuthenticationByCavvRef } from '../../store/three-ds.repository.js';
import type { ServiceContext } from '../context.js';
import { cavvMac, macMatches } from './cavv.js';

export interface CavvCheck { request: AuthorizationRequest; card: Pick<Card, 'pan_fingerprint'>; billingFils: number | null; nowMs: number }

export async function verifyCavv(trx: Trx, ctx: ServiceContext, check: CavvCheck): Promise<Authentication> {
  const { request, card, nowMs } = check;
  if (!claimsAuthentication(request)) return 'none';
  const cavv = request.cavv ? unpackCavv(request.cavv) : null;
  if (!cavv) return 'failed';
  const row = await findAuthenticationByCavvRef(trx, cavv.ref);
  if (!row || row.trans_status !== 'Y' || row.pan_fingerprint !== card.pan_fingerprint) return 'failed';
  const expected = cavvMac(ctx, { id: row.id, amount: request.amount, currency: request.currency, merchant_id: request.merchantId }, request.pan);
  if (!macMatches(expected, cavv.mac)) return 'failed';
  if (nowMs >= row.expires_at || row.cavv_used_at !== null) return 'failed';
  return row.challenged === 1 ? 'challenge' : 'frictionless';
}

/** Uses up the verified CAVV of an approved authorization; false when a concurrent twin used it first. */
export async function useCavv(trx: Trx, request: AuthorizationRequest, nowMs: number): Promise<boolean> {
  const cavv = request.cavv ? unpackCavv(request.cavv) : null;
  return cavv !== null && consumeCavvByRef(trx, cavv.ref, nowMs);
}
