// The staff key a request presents, found by its SHA-256 hash (keys are stored only as hashes).
// Read on every request, with no cache, so a revocation holds from the next request on every
// instance.
import type { ServiceContext } from '../context.js';

export interface StaffKeyHolder {
  id: string; name: string; role: 'admin' | 'ops' | 'auditor';
  /** Replaced by a rotation and in its overlap: may not manage keys. */
  rotatedOut: boolean;
}

/** The active key with this hash (hex), unless its overlap has ended; else undefined. */
export async function findStaffKey(ctx: ServiceContext, keyHashHex: string): Promise<StaffKeyHolder | undefined> {
  const row = await ctx.handle.db.selectFrom('staff_keys').selectAll()
    .where('key_hash', '=', keyHashHex).where('active', '=', 1).executeTakeFirst();
  if (!row || (row.expires_at !== null && row.expires_at <= ctx.clock.now())) return undefined;
  // Only rotation sets expires_at: such a key is in its overlap.
  return { id: row.id, name: row.name, role: row.role, rotatedOut: row.expires_at !== null };
}
