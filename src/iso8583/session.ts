// What one ISO 8583 message does on a connection (SPEC §10): sign-on first, then the MAC, then the
// verb its MTI names. The answer is built here; the socket, framing and ordering are server.ts's.
import type { Logger } from 'pino';
import { ServiceError } from '../service/errors.js';
import {
  isResponseMti, IsoFormatError, macVerifies, packFrame, responseMtiOf, text, unpack, type FieldValue, type IsoMessage,
} from './codec.js';
import { NETWORK_MANAGEMENT, SUBELEMENTS } from './fields.js';
import {
  authorizationAdviceBody, authorizationBody, authorizationResponseFields, echoFields, reversalMessage, reversalResponseFields,
} from './mapping.js';
import { readSubelements, SubfieldError } from './subfields.js';
import type { IsoVerbs } from './verbs.js';

/** A connection's sign-on: the network client it speaks for, and the secret its MACs use. */
export interface Session {
  client?: string;
  secret?: string;
}

export interface SessionDeps {
  verbs: IsoVerbs;
  /** The client's secrets: an array when at hand (cached), a promise when they must be read. */
  findSecrets(keyId: string): string[] | Promise<string[]>;
  now(): number;
  logger: Logger;
}

export interface Handled {
  /** The answer, framed (length prefix included); absent when nothing is answered (a response to our echo). */
  answer?: Buffer;
  /** The frame cannot be read far enough to answer: the connection is closed. */
  close?: boolean;
  /** For metrics: the request's MTI ('unknown' when unreadable) and the answer's DE 39. */
  mti: string;
  responseCode?: string;
}

/** ISO response codes this layer answers itself. */
export const CODES = {
  approved: '00', notPermitted: '03', invalidTransaction: '12', formatError: '30', unknownOriginal: '25',
  notSignedOn: '91', securityViolation: '63', systemMalfunction: '96',
} as const;

/** A verb's error as a response code: refusals the service names, anything else a malfunction. */
export function responseCodeForError(error: unknown): string {
  if (error instanceof ServiceError) {
    // Raised by the acquirer scoping of network clients (service/network/acquirer-scope.ts).
    if ((error.code as string) === 'acquirer_not_permitted') return CODES.notPermitted;
    if (error.code === 'validation_error' || error.code === 'invalid_json') return CODES.formatError;
  }
  return CODES.systemMalfunction;
}

/** The original MTI of a repeat (0101 → 0100, 0421 → 0420). */
const originalMti = (mti: string) => mti.slice(0, 3) + String(Number(mti[3]) - (Number(mti[3]) % 2));

function networkManagementAnswer(request: { mti: string; fields: Map<number, FieldValue> }, code: string): IsoMessage {
  const fields = new Map<number, FieldValue>();
  for (const de of [7, 11]) {
    const v = request.fields.get(de);
    if (v !== undefined) fields.set(de, v);
  }
  fields.set(39, code);
  const de70 = request.fields.get(70);
  if (de70 !== undefined) fields.set(70, de70);
  return { mti: responseMtiOf(request.mti), fields };
}

function simpleAnswer(request: { mti: string; fields: Map<number, FieldValue> }, code: string): IsoMessage {
  if (originalMti(request.mti) === '0800') return networkManagementAnswer(request, code);
  const fields = echoFields({ mti: request.mti, fields: request.fields });
  fields.set(39, code);
  return { mti: responseMtiOf(request.mti), fields };
}

/** The secret the message's MAC verifies with, of the client's (one, or two during a rotation). */
function verifyingSecret(bytes: Buffer, macOffset: number | undefined, secrets: readonly string[]): string | undefined {
  for (const secret of secrets) if (macVerifies(bytes, macOffset, secret)) return secret;
  return undefined;
}

export async function handleFrame(bytes: Buffer, session: Session, d: SessionDeps, sourceIp: string | null): Promise<Handled> {
  let message: IsoMessage;
  let macOffset: number | undefined;
  try {
    ({ message, macOffset } = unpack(bytes));
  } catch (error) {
    const partial = error instanceof IsoFormatError ? error.partial : undefined;
    if (!partial?.mti || !partial.fields.has(11) || isResponseMti(partial.mti)) return { close: true, mti: partial?.mti ?? 'unknown' };
    const answer = simpleAnswer({ mti: partial.mti, fields: partial.fields }, CODES.formatError);
    return { answer: packFrame(answer, session.secret), mti: partial.mti, responseCode: CODES.formatError };
  }
  const { mti } = message;
  // A response is the client's answer to our echo: nothing to answer.
  if (isResponseMti(mti)) return { mti };
  const done = (answer: IsoMessage, secret: string | undefined): Handled =>
    ({ answer: packFrame(answer, secret), mti, responseCode: text(answer, 39) });

  if (!session.client) {
    if (mti === '0800' && text(message, 70) === NETWORK_MANAGEMENT.signOn) return signOn(bytes, message, macOffset, session, d);
    return done(simpleAnswer(message, CODES.notSignedOn), undefined);
  }
  const found = d.findSecrets(session.client);
  const secret = verifyingSecret(bytes, macOffset, Array.isArray(found) ? found : await found);
  if (!secret) return done(simpleAnswer(message, CODES.securityViolation), session.secret);
  session.secret = secret;
  try {
    const handled = done(await dispatch(message, session, d, sourceIp), secret);
    if (!session.client) session.secret = undefined; // signed off
    return handled;
  } catch (error) {
    if (error instanceof SubfieldError) return done(simpleAnswer(message, CODES.formatError), secret);
    const code = responseCodeForError(error);
    if (code === CODES.systemMalfunction) d.logger.error({ err: error, mti, networkClient: session.client }, 'ISO 8583 message failed');
    return done(simpleAnswer(message, code), secret);
  }
}

async function signOn(bytes: Buffer, message: IsoMessage, macOffset: number | undefined, session: Session, d: SessionDeps): Promise<Handled> {
  let keyId: string | undefined;
  try {
    const de48 = text(message, 48);
    keyId = de48 === undefined ? undefined : readSubelements(de48).get(SUBELEMENTS.networkKeyId);
  } catch {
    keyId = undefined;
  }
  const secret = keyId ? verifyingSecret(bytes, macOffset, await d.findSecrets(keyId)) : undefined;
  if (!keyId || !secret) {
    return { answer: packFrame(networkManagementAnswer(message, CODES.securityViolation)), mti: message.mti, responseCode: CODES.securityViolation };
  }
  session.client = keyId;
  session.secret = secret;
  d.logger.info({ networkClient: keyId }, 'ISO 8583 sign-on');
  return { answer: packFrame(networkManagementAnswer(message, CODES.approved), secret), mti: message.mti, responseCode: CODES.approved };
}

async function dispatch(message: IsoMessage, session: Session, d: SessionDeps, sourceIp: string | null): Promise<IsoMessage> {
  const client = session.client!;
  const nowMs = d.now();
  const fields = echoFields(message);
  const answer: IsoMessage = { mti: responseMtiOf(message.mti), fields };
  switch (originalMti(message.mti)) {
    case '0800':
      return networkManagement(message, session);
    case '0100': {
      const response = await d.verbs.authorize(authorizationBody(message, '0100', nowMs), client, sourceIp);
      if ('invalid' in response) return simpleAnswer(message, CODES.formatError);
      authorizationResponseFields(fields, response);
      return answer;
    }
    case '0120': {
      const response = await d.verbs.authorizationAdvice(authorizationAdviceBody(message, nowMs), client, sourceIp);
      if ('invalid' in response) return simpleAnswer(message, CODES.formatError);
      authorizationResponseFields(fields, { ...response, authCode: undefined, authorizationId: response.authorizationId ?? '' });
      if (!response.authorizationId) fields.delete(48);
      return answer;
    }
    case '0400':
    case '0420': {
      const reversal = reversalMessage(message, nowMs);
      if (!reversal) return simpleAnswer(message, CODES.formatError);
      const advice = originalMti(message.mti) === '0420';
      const response = advice ? await d.verbs.reversalAdvice(reversal, client) : await d.verbs.reverse(reversal, client);
      reversalResponseFields(fields, response);
      return answer;
    }
    default:
      return simpleAnswer(message, CODES.invalidTransaction);
  }
}

function networkManagement(message: IsoMessage, session: Session): IsoMessage {
  switch (text(message, 70)) {
    case NETWORK_MANAGEMENT.echo:
      return networkManagementAnswer(message, CODES.approved);
    case NETWORK_MANAGEMENT.signOff:
      // Answered with the MAC of the session it ends; the next message must sign on again.
      session.client = undefined;
      return networkManagementAnswer(message, CODES.approved);
    case NETWORK_MANAGEMENT.signOn:
      // Signing on again on a signed-on connection: its MAC has verified with the same client's secret.
      return networkManagementAnswer(message, CODES.approved);
    default:
      return networkManagementAnswer(message, CODES.invalidTransaction);
  }
}
