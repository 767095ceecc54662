// Seam for 3-D Secure (SPEC §7): checks a CAVV the authorization carries against our
// authentications. Until the challenge flow lands, no CAVV verifies, so a claim of
// authentication is declined 05 as the rules require.
import type { AuthorizationRequest } from '../../domain/authorization-request.js';
import { claimsAuthentication } from '../../domain/channel.js';
import type { Trx } from '../../store/db.js';
import type { Card } from '../../store/schema.js';
import type { ServiceContext } from '../context.js';

export interface CavvCheck { request: AuthorizationRequest; card: Card; billingFils: number | null; nowMs: number }

export async function verifyCavv(_trx: Trx, _ctx: ServiceContext, check: CavvCheck): Promise<'verified' | 'failed' | 'none'> {
  if (!claimsAuthentication(check.request)) return 'none';
  return 'failed';
}
