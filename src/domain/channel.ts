// How a transaction reached us: the e-commerce-only promise (SPEC §4) reads these.
import type { AuthorizationRequest } from './authorization-request.js';

export const CASH_PROCESSING_CODES = ['01', '09', '11', '17'];
export const CASH_MCCS = ['6010', '6011'];
export const CARD_PRESENT_TERMINALS = ['atm', 'pos', 'mpos', 'softpos'];
/** Magstripe, chip, contactless, fallback, including phones used as contactless terminals. */
export const CARD_PRESENT_ENTRY_MODES = ['02', '05', '07', '79', '80', '90', '91', '95'];

export const transactionType = (r: Pick<AuthorizationRequest, 'processingCode'>) => r.processingCode.slice(0, 2);
export const panEntryMode = (r: Pick<AuthorizationRequest, 'posEntryMode'>) => r.posEntryMode.slice(0, 2);

export function isCashOrAtm(r: AuthorizationRequest): boolean {
  return CASH_PROCESSING_CODES.includes(transactionType(r)) || CASH_MCCS.includes(r.mcc);
}

export function isCardPresent(r: AuthorizationRequest): boolean {
  return r.pinPresent === true
    || (r.terminalType !== undefined && CARD_PRESENT_TERMINALS.includes(r.terminalType.toLowerCase()))
    || CARD_PRESENT_ENTRY_MODES.includes(panEntryMode(r));
}

export const isCredentialOnFile = (r: AuthorizationRequest) => panEntryMode(r) === '10';
export const isMailOrTelephoneOrder = (r: AuthorizationRequest) =>
  panEntryMode(r) === '01' && r.posConditionCode === '08';

/** E-commerce: entry mode 81 or 09, 01 with condition 59 (Visa), or 10 credential on file. */
export function isEcommerce(r: AuthorizationRequest): boolean {
  const mode = panEntryMode(r);
  return mode === '81' || mode === '09' || (mode === '01' && r.posConditionCode === '59') || mode === '10';
}

/** ECI values that claim cardholder authentication: 05 Visa, 02 Mastercard. */
export const AUTHENTICATED_ECIS = ['05', '02'];
export const claimsAuthentication = (r: AuthorizationRequest) =>
  r.eci !== undefined && AUTHENTICATED_ECIS.includes(r.eci);
