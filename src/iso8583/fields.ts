// The ISO 8583:1987 data elements this issuer reads and writes (SPEC §10), as data: the codec
// (codec.ts) packs and unpacks every field from this table, and the JSON mapping (mapping.ts) names
// the JSON field each one stands for. Adding a field is one row here.

/** n: ASCII digits; an: letters, digits, spaces; ans: printable ASCII; b: raw bytes. */
export type FieldFormat = 'n' | 'an' | 'ans' | 'b';

/** fixed: exactly `length`; llvar / lllvar: a 2- / 3-digit ASCII length, then at most `length`. */
export type LengthKind = 'fixed' | 'llvar' | 'lllvar';

export interface FieldSpec {
  de: number;
  name: string;
  format: FieldFormat;
  kind: LengthKind;
  /** Characters (bytes for b) of a fixed field; the largest length of a variable one. */
  length: number;
  /** The format in responses, where it differs (DE 2 is answered masked with `*`). */
  responseFormat?: FieldFormat;
  /** The JSON field of the network API it maps to, for the reader (mapping.ts does the mapping). */
  json?: string;
}

const f = (de: number, name: string, format: FieldFormat, kind: LengthKind, length: number, more: Partial<FieldSpec> = {}): FieldSpec =>
  ({ de, name, format, kind, length, ...more });

export const FIELDS: readonly FieldSpec[] = [
  f(2, 'PAN', 'n', 'llvar', 19, { responseFormat: 'ans', json: 'pan' }),
  f(3, 'processing code', 'n', 'fixed', 6, { json: 'processingCode' }),
  f(4, 'amount, transaction', 'n', 'fixed', 12, { json: 'amount' }),
  f(6, 'amount, cardholder billing', 'n', 'fixed', 12, { json: 'billingAmount' }),
  f(7, 'transmission date and time', 'n', 'fixed', 10, { json: 'transmissionTime' }),
  f(11, 'STAN', 'n', 'fixed', 6, { json: 'stan' }),
  f(14, 'expiration date', 'n', 'fixed', 4, { json: 'expiry' }),
  f(18, 'merchant category code', 'n', 'fixed', 4, { json: 'mcc' }),
  f(22, 'POS entry mode', 'n', 'fixed', 3, { json: 'posEntryMode' }),
  f(25, 'POS condition code', 'n', 'fixed', 2, { json: 'posConditionCode' }),
  f(32, 'acquiring institution id', 'n', 'llvar', 11, { json: 'acquirerId' }),
  f(37, 'retrieval reference number', 'an', 'fixed', 12, { json: 'rrn' }),
  f(38, 'authorization id response', 'an', 'fixed', 6, { json: 'authCode' }),
  f(39, 'response code', 'an', 'fixed', 2, { json: 'responseCode' }),
  f(41, 'terminal id', 'ans', 'fixed', 8, { json: 'terminalId' }),
  f(42, 'card acceptor id', 'ans', 'fixed', 15, { json: 'merchantId' }),
  f(43, 'card acceptor name/location', 'ans', 'fixed', 40, { json: 'merchantName, merchantCountry' }),
  f(48, 'additional data', 'ans', 'lllvar', 999, { json: 'subelements (SUBELEMENTS)' }),
  f(49, 'currency code, transaction', 'n', 'fixed', 3, { json: 'currency' }),
  f(51, 'currency code, cardholder billing', 'n', 'fixed', 3, { json: 'billingCurrency' }),
  f(52, 'PIN data', 'b', 'fixed', 8, { json: 'pinPresent' }),
  f(64, 'message authentication code', 'b', 'fixed', 8),
  f(70, 'network management information code', 'n', 'fixed', 3),
  f(90, 'original data elements', 'n', 'fixed', 42, { json: 'reversal original' }),
  f(95, 'replacement amounts', 'an', 'fixed', 42, { json: 'replacementAmount' }),
  f(128, 'message authentication code', 'b', 'fixed', 8),
];

export const FIELD_BY_DE: ReadonlyMap<number, FieldSpec> = new Map(FIELDS.map((s) => [s.de, s]));

export const MAC_PRIMARY = 64;
export const MAC_SECONDARY = 128;

/** DE 43's parts: name, city, country (alpha-2). */
export const DE43_LAYOUT = { name: 25, city: 13, country: 2 } as const;

/** DE 48 subelements: tag n2 + length n2 + value. */
export const SUBELEMENTS = {
  networkKeyId: '01',
  terminalType: '10',
  eci: '42',
  cavv: '43',
  initialTransactionId: '60',
  authorizationId: '61',
  cvv2: '92',
} as const;

/** DE 70 codes. */
export const NETWORK_MANAGEMENT = { signOn: '001', signOff: '002', echo: '301' } as const;
