// A network client speaks only for the acquirer ids it is bound to (SPEC §6); the client
// NETWORK_KEY_ID names speaks for any. Every network verb that names an acquirer asks here — JSON
// authorizations (route, fast path, worker), reversals, clearing records, and any other front end
// (advices, ISO 8583) — so the rule lives in one place. The answer comes from the cache that also
// holds the client's secrets: no query on the hot path, and no permission outlives that cache.
// Ask before opening a transaction: on a cache miss the answer is read through the handle, which
// on SQLite would wait for the connection that transaction holds.
import { cachedNetworkClientAccess, findNetworkClientAccess, type NetworkClientAccess } from '../admin/network-clients.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';

const permits = ({ acquirers }: NetworkClientAccess, acquirerId: string) => acquirers === 'any' || acquirers.has(acquirerId);

/** Whether the client may send messages naming this acquirer id. */
export async function acquirerPermitted(ctx: ServiceContext, networkClientKeyId: string, acquirerId: string): Promise<boolean> {
  return permits(await findNetworkClientAccess(ctx, networkClientKeyId), acquirerId);
}

/**
 * The same answer without a promise when the client's access is cached (the hot path's case):
 * true or false, or undefined when it must be read (then ask acquirerPermitted).
 */
export function acquirerPermittedNow(ctx: ServiceContext, networkClientKeyId: string, acquirerId: string): boolean | undefined {
  const access = cachedNetworkClientAccess(ctx, networkClientKeyId);
  return access && permits(access, acquirerId);
}

export const acquirerNotPermitted = () =>
  new ServiceError('acquirer_not_permitted', 'This network client may not send messages for that acquirer.');

/** Throws acquirer_not_permitted (HTTP 403; DE 39 `03` over ISO 8583) unless the client may speak for the acquirer. */
export async function assertAcquirerPermitted(ctx: ServiceContext, networkClientKeyId: string, acquirerId: string): Promise<void> {
  if (!await acquirerPermitted(ctx, networkClientKeyId, acquirerId)) throw acquirerNotPermitted();
}
