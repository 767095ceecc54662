// A web purchase as the domain's rules see it, for pure tests of src/domain: only the fields a case
// changes are given.
import type { AuthorizationRequest } from '../../src/domain/authorization-request.js';

/** The time the domain tests decide at; the request's transmissionTime is this instant. */
export const DOMAIN_NOW_MS = Date.UTC(2026, 10, 23, 9);

export const domainRequest = (o: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  mti: '0100', pan: '4657810000000000', expiry: '2911', cvv2: '123', processingCode: '000000', amount: 10_000,
  currency: '414', transmissionTime: '2026-11-23T09:00:00Z', stan: '000001', rrn: '633000000001', mcc: '5732',
  posEntryMode: '812', posConditionCode: '59', acquirerId: '412345', merchantId: 'M-1', merchantName: 'Shop',
  merchantCountry: 'KW', ...o,
});
