// While the cardholder answers a 3-D Secure challenge, the checkout waits in a hidden form field,
// sealed (AES-GCM, purpose-bound) so the page carries no readable card number; valid 10 minutes.
import type { ServiceContext } from '../../service/context.js';
import type { CardEntry } from './messages.js';

const PURPOSE = 'demo-checkout';
const TTL_MS = 10 * 60_000;

export interface PendingCheckout { card: CardEntry; item: string; authenticationId: string }

export function sealCheckout(ctx: ServiceContext, state: PendingCheckout): string {
  const sealed = ctx.keyring.encrypt(JSON.stringify({ ...state, exp: ctx.clock.now() + TTL_MS }), PURPOSE);
  return `${sealed.keyId}.${sealed.ciphertext}`;
}

export function openCheckout(ctx: ServiceContext, value: string | undefined): PendingCheckout | null {
  const dot = value?.indexOf('.') ?? -1;
  if (!value || dot < 1) return null;
  try {
    const state = JSON.parse(ctx.keyring.decrypt(value.slice(dot + 1), value.slice(0, dot), PURPOSE)) as PendingCheckout & { exp: number };
    return state.exp > ctx.clock.now() ? state : null;
  } catch {
    return null;
  }
}
