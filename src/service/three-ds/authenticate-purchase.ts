// A gateway's authentication request (startAuthentication) in a transaction of its own; the
// cardholders it alerts hear of it once it has committed.
import { inTransaction } from '../../store/transaction.js';
import type { ServiceContext } from '../context.js';
import { startAuthentication, type ThreeDsRequest, type ThreeDsResponse } from './authenticate.js';

export async function authenticatePurchase(ctx: ServiceContext, input: { request: ThreeDsRequest; networkClient: string; sourceIp?: string | null }): Promise<ThreeDsResponse> {
  const outcome = await inTransaction(ctx.handle, (trx) => startAuthentication(trx, ctx, input));
  for (const customerId of outcome.notify) ctx.events.publish(customerId);
  return outcome.response;
}
