// 3-D Secure helpers for tests: ask for an authentication, read it, set the product threshold.
import type { Harness } from './harness.js';

export type CardCreds = { pan: string; expiry: string; cvv2: string };

export function threeDsRequest(card: CardCreds, overrides: Record<string, unknown> = {}) {
  return { pan: card.pan, expiry: card.expiry, amount: 10_000, currency: '414', merchantId: 'M-1001', merchantName: 'Gulf Books Online', ...overrides };
}

export function startThreeDs(h: Harness, card: CardCreds, overrides: Record<string, unknown> = {}, o: { keyId?: string; secret?: string } = {}) {
  return h.network('/v1/network/3ds/authentications', threeDsRequest(card, overrides), o);
}

export function readThreeDs(h: Harness, id: string, o: { keyId?: string; secret?: string } = {}) {
  const path = `/v1/network/3ds/authentications/${id}`;
  return h.request('GET', path, { headers: h.signedHeaders('GET', path, '', o) });
}

export async function setThreeDsThreshold(h: Harness, fils: number | null) {
  const res = await h.admin('PUT', '/v1/admin/products/internet-shopping', { threeDSecureThreshold: fils });
  if (res.status !== 200) throw new Error(`threshold: ${res.status} ${res.text}`);
}

/** An authorization authenticated with a CAVV (no CVV2, as a 3-D Secure purchase may come). */
export function authorizeWithCavv(h: Harness, card: CardCreds, cavv: string, overrides: Record<string, unknown> = {}) {
  return h.authorize(card, { cvv2: undefined, eci: '05', cavv, ...overrides });
}

/** The same with the card's CVV2: a frictionless CAVV authenticates but does not waive CVV2 (SPEC §7). */
export function authorizeWithCavvAndCvv2(h: Harness, card: CardCreds, cavv: string, overrides: Record<string, unknown> = {}) {
  return h.authorize(card, { eci: '05', cavv, ...overrides });
}
