// Admin API authentication (SPEC §6): the bootstrap ADMIN_API_KEY, or a staff member's own named
// key (stored as a hash) with a role. The audit log records which key acted.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv, StaffIdentity } from '../env.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest();

export function adminAuth(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const bootstrapHash = sha256(deps.adminApiKey);
  return async function authenticateStaff(c, next) {
    const header = c.req.header('authorization') ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!key) throw new ServiceError('unauthorized', 'Send the admin key as Authorization: Bearer <key>.');
    const hash = sha256(key);
    let staff: StaffIdentity | undefined;
    if (timingSafeEqual(hash, bootstrapHash)) {
      staff = { id: 'bootstrap', name: 'bootstrap admin key', role: 'admin' };
    } else {
      const row = await deps.handle.db.selectFrom('staff_keys').selectAll()
        .where('key_hash', '=', hash.toString('hex')).where('active', '=', 1).executeTakeFirst();
      if (row && (row.expires_at === null || row.expires_at > deps.clock.now())) {
        staff = { id: row.id, name: row.name, role: row.role };
      }
    }
    if (!staff) throw new ServiceError('unauthorized', 'The admin key is not valid.');
    c.set('staff', staff);
    await next();
  };
}

/** Auditors read; only ops and admin change state. */
export function requireRole(...roles: StaffIdentity['role'][]): MiddlewareHandler<AppEnv> {
  return async function checkRole(c, next) {
    if (!roles.includes(c.get('staff').role)) {
      throw new ServiceError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
    }
    await next();
  };
}
