// What a network request gets while the database cannot be reached (a failover, a dead primary):
// ISO 8583's 91, "issuer or switch inoperative", as an ordinary answer (HTTP 200, like every answer
// carrying a responseCode), so the network stands in or retries and reverses, as it does for an
// issuer that times out. Nothing was stored, so there is no authorizationId.
import { isDatabaseUnavailable } from '../../store/db-unavailable.js';

export const NETWORK_PATH_PREFIX = '/v1/network/';

export const ISSUER_UNAVAILABLE = { responseCode: '91', approved: false, reason: 'issuer_unavailable' } as const;

/** The 91 answer when `error` means the database is unreachable on a network path, else null. */
export function issuerUnavailableFor(path: string, error: unknown): typeof ISSUER_UNAVAILABLE | null {
  return path.startsWith(NETWORK_PATH_PREFIX) && isDatabaseUnavailable(error) ? ISSUER_UNAVAILABLE : null;
}
