// The authorization answer built from a stored row (fresh or replayed): same fields, same key
// order on the wire, optional fields only when they have a value.
import { describe, expect, it } from 'vitest';
import { responseFromRow } from '../../src/service/network/authorization-response.js';
import type { Authorization } from '../../src/store/schema.js';

const row = (over: Partial<Authorization>) => ({
  id: 'auth_1', response_code: '00', approved: 1, reason: 'approved', auth_code: 'A1B2C3', billing_fils: 1500, over_limit: 0,
  ...over,
}) as Authorization;

describe('responseFromRow', () => {
  it('answers in the wire order, optional fields in their place', () => {
    expect(JSON.stringify(responseFromRow(row({})))).toBe(
      '{"responseCode":"00","approved":true,"reason":"approved","authorizationId":"auth_1","authCode":"A1B2C3","billingAmount":1500,"billingCurrency":"414","overLimit":false}');
    expect(JSON.stringify(responseFromRow(row({ over_limit: 1 })))).toBe(
      '{"responseCode":"00","approved":true,"reason":"approved","authorizationId":"auth_1","authCode":"A1B2C3","billingAmount":1500,"billingCurrency":"414","overLimit":true}');
  });

  it('leaves out authCode when declined and billingAmount when it could not be computed', () => {
    const declined = responseFromRow(row({ response_code: '12', approved: 0, reason: 'unsupported_currency', auth_code: null, billing_fils: null }));
    expect(JSON.stringify(declined)).toBe(
      '{"responseCode":"12","approved":false,"reason":"unsupported_currency","authorizationId":"auth_1","billingCurrency":"414","overLimit":false}');
    expect('authCode' in declined || 'billingAmount' in declined).toBe(false);
    const zero = responseFromRow(row({ response_code: '51', approved: 0, reason: 'over_limit', auth_code: null, billing_fils: 0 }));
    expect(zero.billingAmount).toBe(0);
  });
});
