// Parsing what a visitor types at the demo shop and terminals: card number, MM/YY expiry, CVV2 and
// an amount in KD with up to three decimals (to fils, without floating point).
export function parsePan(input: string | undefined): string | null {
  const pan = (input ?? '').replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(pan) ? pan : null;
}

/** "MM/YY" (or "MMYY") → the network's YYMM. */
export function parseExpiry(input: string | undefined): string | null {
  const m = /^\s*(\d{2})\s*\/?\s*(\d{2})\s*$/.exec(input ?? '');
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 12) return null;
  return `${m[2]}${m[1]}`;
}

export function parseCvv2(input: string | undefined): string | null {
  const cvv = (input ?? '').trim();
  return /^\d{3}$/.test(cvv) ? cvv : null;
}

export const MAX_DEMO_FILS = 1_000_000;

/** "12.5" → 12500; at most 1000 KD; null when not an amount. */
export function parseKdToFils(input: string | undefined): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,3}))?\s*$/.exec(input ?? '');
  if (!m) return null;
  const fils = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return fils > 0 && fils <= MAX_DEMO_FILS ? fils : null;
}
