// ISO 8583 messages ↔ the JSON bodies of the network API (SPEC §6, §10). A request becomes exactly
// the JSON object its JSON twin would send — same fields, absent ones absent, text trimmed, DE 43's
// city dropped — so that it validates with the same schema and hashes the same for idempotency.
import type { AuthorizationResponse } from '../service/network/authorization-response.js';
import type { ReversalResponse } from '../service/network/reverse.js';
import { text, type FieldValue, type IsoMessage } from './codec.js';
import { SUBELEMENTS } from './fields.js';
import {
  maskPan, readCardAcceptor, readOriginalData, readReplacementAmount, readSubelements, readTransmissionTime,
  writeSubelements, type OriginalData,
} from './subfields.js';

type Json = Record<string, unknown>;

const trimmed = (v: string | undefined) => (v === undefined ? undefined : v.trim());

function put(target: Json, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/**
 * The JSON body of an authorization (0100) or authorization advice (0120) request. `mti` is the
 * original's: a repeat (0101) hashes as the message it repeats.
 */
export function authorizationBody(m: IsoMessage, mti: string, nowMs: number): Json {
  const de7 = text(m, 7);
  const de43 = text(m, 43);
  const acceptor = de43 === undefined ? undefined : readCardAcceptor(de43);
  const de48 = text(m, 48);
  const sub = de48 === undefined ? undefined : readSubelements(de48);
  // Named stores in the schema's order, each only when present: one hidden class per request shape.
  const body: Json = { mti };
  let v: string | undefined;
  if ((v = text(m, 2)) !== undefined) body.pan = v;
  if ((v = text(m, 14)) !== undefined) body.expiry = v;
  if ((v = sub?.get(SUBELEMENTS.cvv2)) !== undefined) body.cvv2 = v;
  if ((v = text(m, 3)) !== undefined) body.processingCode = v;
  if ((v = text(m, 4)) !== undefined) body.amount = Number(v);
  if ((v = text(m, 49)) !== undefined) body.currency = v;
  if (de7 !== undefined) body.transmissionTime = readTransmissionTime(de7, nowMs);
  if ((v = text(m, 11)) !== undefined) body.stan = v;
  if ((v = text(m, 37)) !== undefined) body.rrn = v;
  if ((v = text(m, 18)) !== undefined) body.mcc = v;
  if ((v = text(m, 22)) !== undefined) body.posEntryMode = v;
  if ((v = text(m, 25)) !== undefined) body.posConditionCode = v;
  if ((v = text(m, 32)) !== undefined) body.acquirerId = v;
  if ((v = text(m, 42)) !== undefined) body.merchantId = v.trim();
  if (acceptor) {
    body.merchantName = acceptor.name;
    body.merchantCountry = acceptor.country;
  }
  if ((v = text(m, 41)) !== undefined) body.terminalId = v.trim();
  if ((v = sub?.get(SUBELEMENTS.terminalType)) !== undefined) body.terminalType = v;
  if (m.fields.has(52)) body.pinPresent = true;
  if ((v = sub?.get(SUBELEMENTS.eci)) !== undefined) body.eci = v;
  if ((v = sub?.get(SUBELEMENTS.cavv)) !== undefined) body.cavv = v;
  if ((v = sub?.get(SUBELEMENTS.initialTransactionId)) !== undefined) body.initialTransactionId = v;
  if ((v = text(m, 6)) !== undefined) body.billingAmount = Number(v);
  return body;
}

/** An authorization advice (0120) also carries the network's decision: DE 39, and DE 38 when approved. */
export function authorizationAdviceBody(m: IsoMessage, nowMs: number): Json {
  const body = authorizationBody(m, '0120', nowMs);
  put(body, 'responseCode', text(m, 39));
  put(body, 'authCode', trimmed(text(m, 38)) || undefined);
  return body;
}

export interface ReversalMessage {
  original: OriginalData;
  /** The original's DE 7 resolved to an instant, as its JSON twin's transmissionTime. */
  originalTransmissionTime: string;
  stan: string;
  transmissionTime: string;
  replacementAmount?: number;
  rrn?: string;
  /** DE 32, when sent: checked against the client's acquirers as a JSON reversal's acquirerId is. */
  acquirerId?: string;
}

/** A reversal (0400) or reversal advice (0420): DE 90 names the original, DE 95 what stays authorized. */
export function reversalMessage(m: IsoMessage, nowMs: number): ReversalMessage | undefined {
  const de90 = text(m, 90);
  const stan = text(m, 11);
  const de7 = text(m, 7);
  if (de90 === undefined || stan === undefined || de7 === undefined) return undefined;
  const original = readOriginalData(de90);
  const de95 = text(m, 95);
  const out: ReversalMessage = {
    original,
    originalTransmissionTime: readTransmissionTime(original.transmission, nowMs),
    stan,
    transmissionTime: readTransmissionTime(de7, nowMs),
  };
  if (de95 !== undefined) out.replacementAmount = readReplacementAmount(de95);
  const rrn = text(m, 37);
  if (rrn !== undefined) out.rrn = rrn;
  const acquirerId = text(m, 32);
  if (acquirerId !== undefined) out.acquirerId = acquirerId;
  return out;
}

/** The request fields a response echoes (SPEC §10), DE 2 masked. */
const ECHOED = [3, 4, 7, 11, 32, 37, 41, 42, 49] as const;

export function echoFields(request: IsoMessage): Map<number, FieldValue> {
  const out = new Map<number, FieldValue>();
  const pan = text(request, 2);
  if (pan !== undefined) out.set(2, maskPan(pan));
  for (const de of ECHOED) {
    const v = request.fields.get(de);
    if (v !== undefined) out.set(de, v);
  }
  return out;
}

export const BILLING_CURRENCY_CODE = '414';

/** The fields an authorization's answer adds: 6, 38 (approvals), 39, 51, 48.61. */
export function authorizationResponseFields(fields: Map<number, FieldValue>, r: Pick<AuthorizationResponse, 'responseCode' | 'authorizationId' | 'authCode' | 'billingAmount'>): void {
  if (r.billingAmount !== undefined && r.billingAmount >= 0) fields.set(6, String(r.billingAmount));
  if (r.authCode) fields.set(38, r.authCode);
  fields.set(39, r.responseCode);
  fields.set(48, writeSubelements([[SUBELEMENTS.authorizationId, r.authorizationId]]));
  fields.set(51, BILLING_CURRENCY_CODE);
}

export function reversalResponseFields(fields: Map<number, FieldValue>, r: Pick<ReversalResponse, 'responseCode' | 'authorizationId'>): void {
  fields.set(39, r.responseCode);
  if (r.authorizationId) fields.set(48, writeSubelements([[SUBELEMENTS.authorizationId, r.authorizationId]]));
  fields.set(51, BILLING_CURRENCY_CODE);
}
