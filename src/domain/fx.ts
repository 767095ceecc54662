// Foreign amounts to KWD fils (SPEC §1): amount × rate × (1 + markup), half-up to the fil.
// Exact integer arithmetic on BigInt: the rate is a decimal string, never a float.
import type { Currency } from './currencies.js';

export const RATE_PATTERN = /^(?:0|[1-9]\d{0,5})(?:\.\d{1,10})?$/;

export interface Conversion { billingFils: number; rate: string }

function parseRate(rate: string): { num: bigint; scale: bigint } {
  const [whole, frac = ''] = rate.split('.');
  return { num: BigInt(whole + frac), scale: 10n ** BigInt(frac.length) };
}

/** Divides with half-up rounding (away from zero at .5). */
function divideHalfUp(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

export function toBillingFils(amountMinor: number, currency: Currency, rate: string, markupBps: number): Conversion {
  if (currency.alpha === 'KWD') return { billingFils: amountMinor, rate: '1' };
  const { num, scale } = parseRate(rate);
  const numerator = BigInt(amountMinor) * num * 1000n * BigInt(10000 + markupBps);
  const denominator = 10n ** BigInt(currency.exponent) * scale * 10000n;
  return { billingFils: Number(divideHalfUp(numerator, denominator)), rate };
}

/** The network's own conversion (ISO DE 6, fils) billed with the issuer's markup, half-up to the fil (SPEC §5). */
export function withMarkupFils(networkBillingFils: number, markupBps: number): number {
  return Number(divideHalfUp(BigInt(networkBillingFils) * BigInt(10000 + markupBps), 10000n));
}

/**
 * The part of a hold that stays when a merchant reduces an authorization to `remainingMinor`
 * (a partial reversal, in the original currency), converted at the authorization's own rate.
 */
export function remainingHoldFils(originalMinor: number, originalFils: number, remainingMinor: number): number {
  if (remainingMinor <= 0 || originalMinor <= 0) return 0;
  if (remainingMinor >= originalMinor) return originalFils;
  return Number(divideHalfUp(BigInt(originalFils) * BigInt(remainingMinor), BigInt(originalMinor)));
}
