// ISO 4217: numeric code, alphabetic code and minor-unit exponent.
export interface Currency { numeric: string; alpha: string; exponent: number }

const LIST: Currency[] = [
  { numeric: '414', alpha: 'KWD', exponent: 3 },
  { numeric: '048', alpha: 'BHD', exponent: 3 },
  { numeric: '512', alpha: 'OMR', exponent: 3 },
  { numeric: '368', alpha: 'IQD', exponent: 3 },
  { numeric: '400', alpha: 'JOD', exponent: 3 },
  { numeric: '434', alpha: 'LYD', exponent: 3 },
  { numeric: '788', alpha: 'TND', exponent: 3 },
  { numeric: '840', alpha: 'USD', exponent: 2 },
  { numeric: '978', alpha: 'EUR', exponent: 2 },
  { numeric: '826', alpha: 'GBP', exponent: 2 },
  { numeric: '682', alpha: 'SAR', exponent: 2 },
  { numeric: '784', alpha: 'AED', exponent: 2 },
  { numeric: '634', alpha: 'QAR', exponent: 2 },
  { numeric: '818', alpha: 'EGP', exponent: 2 },
  { numeric: '356', alpha: 'INR', exponent: 2 },
  { numeric: '586', alpha: 'PKR', exponent: 2 },
  { numeric: '156', alpha: 'CNY', exponent: 2 },
  { numeric: '124', alpha: 'CAD', exponent: 2 },
  { numeric: '036', alpha: 'AUD', exponent: 2 },
  { numeric: '756', alpha: 'CHF', exponent: 2 },
  { numeric: '949', alpha: 'TRY', exponent: 2 },
  { numeric: '392', alpha: 'JPY', exponent: 0 },
  { numeric: '410', alpha: 'KRW', exponent: 0 },
];

const BY_NUMERIC = new Map(LIST.map((c) => [c.numeric, c]));
const BY_ALPHA = new Map(LIST.map((c) => [c.alpha, c]));

export const KWD = BY_NUMERIC.get('414')!;

/** Looks a currency up by numeric ("840") or alphabetic ("USD") code. */
export function findCurrency(code: string): Currency | undefined {
  return BY_NUMERIC.get(code) ?? BY_ALPHA.get(code.toUpperCase());
}
