// The CAVV we issue (SPEC §7): base64 of 20 bytes — a random 10-byte reference that finds the
// authentication, then 10 bytes of a MAC under the CVV key (which never rotates) bound to the
// authentication id, PAN, amount, currency and merchant.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CAVV_MAC_BYTES, CAVV_REF_BYTES, cavvMessage, packCavv } from '../../domain/three-ds.js';
import type { ThreeDsAuthentication } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';

type Bound = Pick<ThreeDsAuthentication, 'id' | 'amount' | 'currency' | 'merchant_id'>;

export const newCavvRef = () => randomBytes(CAVV_REF_BYTES).toString('hex');

export function cavvMac(ctx: Pick<ServiceContext, 'keyring'>, row: Bound, pan: string): Buffer {
  return ctx.keyring.mac(cavvMessage({ id: row.id, pan, amount: row.amount, currency: row.currency, merchantId: row.merchant_id }))
    .subarray(0, CAVV_MAC_BYTES);
}

export function cavvFor(ctx: Pick<ServiceContext, 'keyring'>, row: Bound & { cavv_ref: string | null }, pan: string): string {
  return packCavv(Buffer.from(row.cavv_ref!, 'hex'), cavvMac(ctx, row, pan));
}

export function macMatches(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}
