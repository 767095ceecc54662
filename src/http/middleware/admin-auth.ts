// Admin API authentication (SPEC §6): the bootstrap ADMIN_API_KEY, or a staff member's own named
// key (stored as a hash) with a role. The audit log records which key acted. Keys are read from
// the database on every request, with no cache, so a revocation holds from the next request on
// every instance.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { findStaffKey } from '../../service/admin/find-staff-key.js';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv, StaffIdentity } from '../env.js';
import { bearerToken } from './bearer.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest();

export function adminAuth(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const bootstrapHash = sha256(deps.adminApiKey);
  return async function authenticateStaff(c, next) {
    const key = bearerToken(c);
    if (!key) throw new ServiceError('unauthorized', 'Send the admin key as Authorization: Bearer <key>.');
    const hash = sha256(key);
    const staff: StaffIdentity | undefined = timingSafeEqual(hash, bootstrapHash)
      ? { id: 'bootstrap', name: 'bootstrap admin key', role: 'admin', rotatedOut: false }
      : await findStaffKey(deps, hash.toString('hex'));
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

/**
 * Key management (create, rotate, revoke) needs a key that is not itself rotated out: a key in its
 * overlap keeps its role's everyday work, but cannot mint, replace or revoke keys, so a leaked old
 * key cannot outlive its overlap through a key of its own making.
 */
export function requireCurrentKey(): MiddlewareHandler<AppEnv> {
  return async function checkCurrentKey(c, next) {
    if (c.get('staff').rotatedOut) {
      throw new ServiceError('forbidden', 'This key has been replaced; use its successor to manage keys.');
    }
    await next();
  };
}
