// Whether this instance can serve: the database answers within a bound, and its schema is at the
// version this build expects. A load balancer's probe must hear "not ready" while the database
// fails over, not hang: past timeoutMs the check rejects, as it does when the database is gone.
import { sql } from 'kysely';
import { withinMs } from '../../store/db-unavailable.js';
import { currentVersion, SCHEMA_VERSION } from '../../store/migrate.js';
import type { ServiceContext } from '../context.js';

export async function readiness(ctx: ServiceContext, timeoutMs: number) {
  const { handle } = ctx;
  const version = await withinMs(timeoutMs, sql`select 1`.execute(handle.db).then(() => currentVersion(handle)), 'readyz');
  return { database: handle.dialect, version, expected: SCHEMA_VERSION };
}
