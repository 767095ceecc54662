// Takes a database migrated to the newest version back to how version 8 left it, for tests of the
// migrations that follow (and of older ones, which run from there).
import { sql } from 'kysely';
import type { FreshDatabase } from './databases.js';

export /** Undoes migrations 9 and later on a database migrated to the newest version. */
async function revertToVersion8(db: FreshDatabase['handle']['db']): Promise<void> {
  await sql.raw('DROP TABLE network_client_acquirers').execute(db);
  // Keys had no client before version 9: `acquirer|stan|time`.
  await sql.raw('UPDATE authorizations SET idempotency_key = substr(idempotency_key, length(network_client) + 2)').execute(db);
  await sql.raw('ALTER TABLE network_clients DROP COLUMN any_acquirer').execute(db);
  // Version 11's advices, reviews and split shipments.
  await sql.raw('DROP INDEX authorizations_needs_review').execute(db);
  await sql.raw('DROP INDEX clearings_needs_review').execute(db);
  for (const column of ['source', 'needs_review', 'superseded_by']) {
    await sql.raw(`ALTER TABLE authorizations DROP COLUMN ${column}`).execute(db);
  }
  for (const column of ['clearing_sequence', 'clearing_count']) {
    await sql.raw(`ALTER TABLE clearings DROP COLUMN ${column}`).execute(db);
  }
  await sql.raw('DROP TABLE reversal_advices').execute(db);
  await sql.raw('ALTER TABLE staff_keys DROP COLUMN replaced_by').execute(db);
  await sql.raw('ALTER TABLE three_ds_authentications DROP COLUMN challenged').execute(db);
  // Version 14's known merchants (version 10's index over the authorizations it replaced goes too).
  await sql.raw('DROP TABLE known_merchants').execute(db);
  await sql.raw('ALTER TABLE authorizations DROP COLUMN network_billing_fils').execute(db);
  await sql.raw('ALTER TABLE products DROP COLUMN frictionless_ceiling_fils').execute(db);
}
