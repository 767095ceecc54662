// schema.sql applies unchanged on both backends, records its version, and builds every table and
// index it declares; instances starting together on one PostgreSQL database build it once.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { idempotencyKey } from '../../src/service/network/request-identity.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { currentVersion, migrate, SCHEMA_VERSION, splitStatements } from '../../src/store/migrate.js';
import { revertToVersion8 } from '../support/migrations.js';
import { forEachBackend } from '../support/backends.js';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';
import { indexesDeclaredIn, namedIndexes, databaseShape } from '../support/introspect.js';

const SCHEMA_SQL = readFileSync(new URL('../../schema.sql', import.meta.url), 'utf8');

/** An authorization with every column a version-8 database has, for rows written as an old version did. */
const authorizationRow = (o: { id: string } & Record<string, unknown>) => ({
  account_id: null, card_id: null, idempotency_key: `net|1|${o.id}|2026-11-23T09:00:00Z`, request_hash: 'h', network_client: 'net',
  acquirer_id: '1', rrn: '000000000001', stan: '000001', processing_code: '000000', amount: 1, currency: '414', billing_fils: null,
  fx_rate: null, mcc: '5732', merchant_id: 'M', merchant_name: 'M', merchant_country: 'KW', pos_entry_mode: '812',
  response_code: '14', reason: 'invalid_card', rule_id: 'invalid_card', approved: 0, auth_code: null, over_limit: 0, hold_fils: 0,
  hold_transfer_id: null, status: 'declined', expires_at: null, created_at: 1, updated_at: 1,
  prev_authorization_id: null, prev_notified_authorization_id: null, ...o,
});

/** Records the database as built at `version` by schema.sql, then migrates it to the newest. */
async function migrateFrom(fresh: FreshDatabase, version: number) {
  await fresh.handle.db.deleteFrom('schema_migrations').execute();
  await fresh.handle.db.insertInto('schema_migrations').values({ version, name: 'schema.sql', applied_at: 1 }).execute();
  return migrate(fresh.handle);
}

/** The tables, columns and indexes of a database as it is now, to compare a migrated one with. */
const layoutOf = async (fresh: FreshDatabase) => ({ shape: await databaseShape(fresh.handle), indexes: await namedIndexes(fresh.handle) });

/** Migrates a database recorded as built at `version`, and checks it ends with `newest`'s layout. */
async function expectMigratedFrom(fresh: FreshDatabase, version: number, newest: Awaited<ReturnType<typeof layoutOf>>) {
  expect(await migrateFrom(fresh, version)).toEqual({ version: SCHEMA_VERSION, created: false });
  expect(await layoutOf(fresh)).toEqual(newest);
}


forEachBackend((backend) => {
  let fresh: FreshDatabase;
  afterEach(() => fresh?.close());

  describe('building a new database from schema.sql', () => {
    it('creates every table, records the schema version, and a second run changes nothing', async () => {
      fresh = await freshDatabase(backend);
      const first = await migrate(fresh.handle, 1_700_000_000_000);
      expect(first).toEqual({ version: SCHEMA_VERSION, created: true });
      expect(SCHEMA_VERSION).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
      const rows = await fresh.handle.db.selectFrom('schema_migrations').selectAll().execute();
      expect(rows).toEqual([{ version: SCHEMA_VERSION, name: 'schema.sql', applied_at: 1_700_000_000_000 }]);

      const declared = [...SCHEMA_SQL.matchAll(/CREATE TABLE (\w+)/g)].map((m) => m[1]).sort();
      expect(Object.keys(await databaseShape(fresh.handle)).sort()).toEqual(declared);

      expect(await migrate(fresh.handle)).toEqual({ version: SCHEMA_VERSION, created: false });
      expect(await currentVersion(fresh.handle)).toBe(SCHEMA_VERSION);
      expect(await fresh.handle.db.selectFrom('schema_migrations').selectAll().execute()).toHaveLength(1);
    });

    it('creates every named index, unique where schema.sql says so', async () => {
      fresh = await freshDatabase(backend);
      await migrate(fresh.handle);
      const actual = await namedIndexes(fresh.handle);
      const declared = indexesDeclaredIn(SCHEMA_SQL);
      expect(Object.keys(declared).length).toBeGreaterThan(10);
      for (const [name, unique] of Object.entries(declared)) expect({ name, unique: actual[name] }).toEqual({ name, unique });
    });

    it('is a failed, empty migration when a statement breaks: nothing half-built is left', async () => {
      fresh = await freshDatabase(backend);
      // The whole of schema.sql runs in one transaction (DDL is transactional on both backends).
      const statements = splitStatements(SCHEMA_SQL);
      expect(statements.length).toBeGreaterThan(20);
      await expect(fresh.handle.db.transaction().execute(async (trx) => {
        for (const s of statements.slice(0, 5)) await sql.raw(s).execute(trx);
        throw new Error('broken statement');
      })).rejects.toThrow('broken statement');
      expect(await databaseShape(fresh.handle)).toEqual({});
    });
  });

  describe('migrating a database built at version 1', () => {
    it('replaces the open-holds and ledger indexes by partial ones, adds audit_log.account_id, drops stored purchase and blocked-attempt notifications, chains authorizations', async () => {
      fresh = await freshDatabase(backend);
      await migrate(fresh.handle);
      const db = fresh.handle.db;
      // Back to how version 1 built it.
      await sql.raw('DROP INDEX authorizations_open_holds').execute(db);
      await sql.raw('CREATE INDEX authorizations_open_holds ON authorizations(status, expires_at)').execute(db);
      await sql.raw('DROP INDEX ledger_transfers_account').execute(db);
      await sql.raw('CREATE INDEX ledger_transfers_account ON ledger_transfers(account_id, created_at)').execute(db);
      await sql.raw('DROP INDEX ledger_transfers_one_void').execute(db);
      await sql.raw('CREATE UNIQUE INDEX ledger_transfers_one_void ON ledger_transfers(pending_id)').execute(db);
      await sql.raw('ALTER TABLE audit_log DROP COLUMN account_id').execute(db);
      await sql.raw('CREATE INDEX audit_log_time ON audit_log(created_at)').execute(db);
      for (const column of ['prev_authorization_id', 'prev_notified_authorization_id']) {
        await sql.raw(`ALTER TABLE authorizations DROP COLUMN ${column}`).execute(db);
      }
      for (const column of ['last_authorization_id', 'last_authorization_at', 'last_notified_authorization_id']) {
        await sql.raw(`ALTER TABLE card_accounts DROP COLUMN ${column}`).execute(db);
      }
      await sql.raw('CREATE INDEX authorizations_account ON authorizations(account_id, created_at)').execute(db);
      // Version 10 adds 7995 to the blocked MCCs only where the list is still the old default.
      const product = { bin: '465781', allowed_limits: '[100000]', over_limit_margin_percent: 20, hold_lifetime_days: 7,
        fx_markup_bps: 250, three_ds_threshold_fils: null, allow_mail_order: 0, updated_at: 1 };
      await sql`INSERT INTO products (code, bin, allowed_limits, over_limit_margin_percent, blocked_mccs, hold_lifetime_days, fx_markup_bps, three_ds_threshold_fils, allow_mail_order, updated_at)
        VALUES ('old-default', ${product.bin}, ${product.allowed_limits}, 20, '["6010","6011","6051","4829"]', 7, 250, NULL, 0, 1),
               ('staff-list', ${product.bin}, ${product.allowed_limits}, 20, '["6010","6011"]', 7, 250, NULL, 0, 1)`.execute(db);
      // Version 4 stored a row per purchase notification (5 reads them from the authorizations) and
      // version 6 one per blocked attempt (7 does); other kinds stay stored.
      await db.insertInto('customers').values({ id: 'cus_1', username: 'u1', password_hash: 'x', name: 'N', language: 'en', totp_last_step: 0, created_at: 1 }).execute();
      const note = { customer_id: 'cus_1', account_id: null, card_id: null, severity: 'info' as const, message: 'm', data: '{}', created_at: 1, read_at: null };
      await db.insertInto('notifications').values([
        { ...note, id: 'ntf_1', kind: 'purchase_approved' }, { ...note, id: 'ntf_2', kind: 'blocked_attempt' },
        { ...note, id: 'ntf_3', kind: 'new_login' },
      ]).execute();
      await revertToVersion8(db);

      expect(await migrateFrom(fresh, 1)).toEqual({ version: SCHEMA_VERSION, created: false });
      expect(SCHEMA_VERSION).toBe(14);
      const definition = async (name: string) => (backend === 'sqlite'
        ? (await sql<{ sql: string }>`select sql from sqlite_master where name = ${name}`.execute(db)).rows[0].sql
        : (await sql<{ sql: string }>`select indexdef as sql from pg_indexes where indexname = ${name}`.execute(db)).rows[0].sql);
      expect(await definition('authorizations_open_holds')).toMatch(/WHERE .*status.* = 'pending'/i);
      expect(await definition('ledger_transfers_account')).toMatch(/WHERE .*kind.* = 'posted'/i);
      expect(await definition('ledger_transfers_one_void')).toMatch(/UNIQUE.*WHERE .*pending_id.* IS NOT NULL/is);
      const shape = await databaseShape(fresh.handle);
      expect(shape.audit_log).toHaveProperty('account_id');
      expect(shape.three_ds_authentications).toHaveProperty('challenged');
      expect(shape.authorizations).toHaveProperty('prev_notified_authorization_id');
      expect(shape.authorizations).not.toHaveProperty('prev_approved_authorization_id');
      expect(shape.card_accounts).toHaveProperty('last_notified_authorization_id');
      expect(shape.card_accounts).toHaveProperty('last_authorization_at');
      expect(shape.authorizations).toMatchObject({ source: expect.anything(), needs_review: expect.anything(), superseded_by: expect.anything() });
      expect(shape.clearings).toMatchObject({ clearing_sequence: expect.anything(), clearing_count: expect.anything() });
      expect(shape).toHaveProperty('reversal_advices');
      expect(Object.keys(await namedIndexes(fresh.handle))).toEqual(expect.arrayContaining(['authorizations_needs_review', 'clearings_needs_review']));
      expect(shape.staff_keys).toHaveProperty('replaced_by');
      expect(Object.keys(await namedIndexes(fresh.handle))).not.toContain('authorizations_account');
      expect(Object.keys(await namedIndexes(fresh.handle))).not.toContain('audit_log_time');
      expect((await db.selectFrom('notifications').select('id').execute()).map((n) => n.id)).toEqual(['ntf_3']);
      expect(shape.authorizations).toHaveProperty('network_billing_fils');
      expect(shape).toHaveProperty('known_merchants');
      expect(Object.keys(await namedIndexes(fresh.handle))).not.toContain('authorizations_known_merchants');
      // Migrated and built fresh, the same tables, columns and indexes.
      const other = await freshDatabase(backend);
      try {
        await migrate(other.handle);
        expect(shape).toEqual(await databaseShape(other.handle));
        expect(await namedIndexes(fresh.handle)).toEqual(await namedIndexes(other.handle));
      } finally {
        await other.close();
      }
      const products = await db.selectFrom('products').select(['code', 'blocked_mccs', 'frictionless_ceiling_fils']).orderBy('code').execute();
      expect(products.map((p) => ({ ...p, frictionless_ceiling_fils: Number(p.frictionless_ceiling_fils) }))).toEqual([
        { code: 'old-default', blocked_mccs: '["6010","6011","6051","4829","7995"]', frictionless_ceiling_fils: 20_000 },
        { code: 'staff-list', blocked_mccs: '["6010","6011"]', frictionless_ceiling_fils: 20_000 },
      ]);
      if (backend === 'sqlite') {
        // 3-D Secure's known-merchant question runs on the table's key alone.
        const knownPlan = await sql<{ detail: string }>`explain query plan select account_id from known_merchants
          where account_id = 'a' and merchant_id = 'm'`.execute(db);
        expect(knownPlan.rows.map((r) => r.detail).join(' ')).toMatch(/COVERING INDEX sqlite_autoindex_known_merchants_1 \(account_id=\? AND merchant_id=\?\)/);
        const plan = await sql<{ detail: string }>`explain query plan select id, account_id, expires_at from authorizations
          where status = 'pending' and expires_at <= 5 and (expires_at, id) > (1, '')
          order by expires_at, id limit 500`.execute(db);
        expect(plan.rows.map((r) => r.detail).join(' ')).toContain('authorizations_open_holds');
        const statementPlan = await sql<{ detail: string }>`explain query plan select * from ledger_transfers
          where account_id = 'a' and kind = 'posted' and created_at >= 1 and created_at < 2`.execute(db);
        expect(statementPlan.rows.map((r) => r.detail).join(' ')).toContain('ledger_transfers_account');
        // The audit list's time range runs on the primary key, in its order (no sort).
        const auditPlan = (await sql<{ detail: string }>`explain query plan select * from audit_log
          where id >= 'au_0mwt00000' and created_at >= 1 and id < 'au_0mwt10000' order by id desc limit 51`.execute(db)).rows.map((r) => r.detail).join(' ');
        expect(auditPlan).toContain('sqlite_autoindex_audit_log_1');
        expect(auditPlan).not.toContain('TEMP B-TREE');
      }
    });
  });

  describe('migrating a database built at version 13', () => {
    it('makes known the merchants of the approved purchases and verifications kept so far, once each', async () => {
      fresh = await freshDatabase(backend);
      await migrate(fresh.handle);
      const newest = await layoutOf(fresh);
      const db = fresh.handle.db;
      await sql.raw('DROP TABLE known_merchants').execute(db);
      await sql.raw(`CREATE INDEX authorizations_known_merchants ON authorizations(account_id, merchant_id)
        WHERE rule_id IN ('approved', 'approved_over_limit', 'verified')`).execute(db);
      const row = (id: string, accountId: string | null, merchantId: string, ruleId: string) =>
        authorizationRow({ id, account_id: accountId, merchant_id: merchantId, rule_id: ruleId, reason: ruleId, response_code: '00', approved: 1, status: 'pending' });
      await db.insertInto('authorizations').values([
        row('auth_1', 'ca_1', 'M-SHOP', 'approved'),
        row('auth_2', 'ca_1', 'M-SHOP', 'approved'), // twice at one merchant: one row
        row('auth_3', 'ca_1', 'M-OVER', 'approved_over_limit'),
        row('auth_4', 'ca_2', 'M-SHOP', 'verified'),
        row('auth_5', 'ca_2', 'M-REFUND', 'refund_approved'), // a refund proves nothing
        row('auth_6', 'ca_2', 'M-DECLINED', 'mcc_blocked'),
        row('auth_7', null, 'M-NOBODY', 'approved'), // no account: nobody to know it
      ] as never).execute();

      await expectMigratedFrom(fresh, 13, newest);
      const known = await db.selectFrom('known_merchants').selectAll().orderBy('account_id').orderBy('merchant_id').execute();
      expect(known).toEqual([
        { account_id: 'ca_1', merchant_id: 'M-OVER' }, { account_id: 'ca_1', merchant_id: 'M-SHOP' }, { account_id: 'ca_2', merchant_id: 'M-SHOP' },
      ]);
    });
  });

  describe('migrating a database built at version 8', () => {
    const authorization = (id: string, networkClient: string, acquirerId: string, stan: string, time: string, createdAt: number) =>
      authorizationRow({ id, idempotency_key: `${acquirerId}|${stan}|${time}`, network_client: networkClient, acquirer_id: acquirerId, stan, created_at: createdAt, updated_at: createdAt });

    it('binds each client to the acquirers it has used, and rewrites idempotency keys per client and instant', async () => {
      fresh = await freshDatabase(backend);
      await migrate(fresh.handle);
      const newest = await layoutOf(fresh);
      const db = fresh.handle.db;
      await revertToVersion8(db);
      const client = (key: string) => ({ key_id: key, secret: 's', secret_key_id: 'k', previous_secret: null, previous_until: null, name: key, active: 1, created_at: 1 });
      await db.insertInto('network_clients').values([client('net_a'), client('net_b')] as never).execute();
      await db.insertInto('authorizations').values([
        authorization('auth_1', 'net_a', '412345', '000001', '2026-11-23T09:00:00Z', 1),
        authorization('auth_2', 'net_a', '412345', '000002', '2026-11-23T12:00:00.000+03:00', 2),
        authorization('auth_3', 'net_a', '777', '000003', '2026-11-23T09:00:00', 3),
        authorization('auth_4', 'net_b', '412345', '000001', '2026-11-23T09:00:00.000Z', 4),
        // Stored twice before (two spellings of one instant): the canonical spelling keeps the key.
        authorization('auth_5', 'net_b', '412345', '000009', '2026-11-23T09:00:09.000Z', 5),
        authorization('auth_6', 'net_b', '412345', '000009', '2026-11-23T09:00:09Z', 6),
        // A client no longer in the table gets no binding.
        authorization('auth_7', 'net_gone', '555', '000001', '2026-11-23T09:00:00Z', 7),
      ] as never).execute();

      await expectMigratedFrom(fresh, 8, newest);
      const bindings = await db.selectFrom('network_client_acquirers').selectAll().orderBy('key_id').orderBy('acquirer_id').execute();
      expect(bindings).toEqual([
        { key_id: 'net_a', acquirer_id: '412345' }, { key_id: 'net_a', acquirer_id: '777' }, { key_id: 'net_b', acquirer_id: '412345' },
      ]);
      expect(await db.selectFrom('network_clients').select(['key_id', 'any_acquirer']).orderBy('key_id').execute())
        .toEqual([{ key_id: 'net_a', any_acquirer: 0 }, { key_id: 'net_b', any_acquirer: 0 }]);
      const keys = Object.fromEntries((await db.selectFrom('authorizations').select(['id', 'idempotency_key']).execute()).map((r) => [r.id, r.idempotency_key]));
      expect(keys).toEqual({
        auth_1: 'net_a|412345|000001|2026-11-23T09:00:00Z',
        auth_2: 'net_a|412345|000002|2026-11-23T09:00:00Z',
        auth_3: 'net_a|777|000003|2026-11-23T09:00:00Z',
        auth_4: 'net_b|412345|000001|2026-11-23T09:00:00Z',
        auth_5: 'net_b|412345|000009|2026-11-23T09:00:09.000Z',
        auth_6: 'net_b|412345|000009|2026-11-23T09:00:09Z',
        auth_7: 'net_gone|555|000001|2026-11-23T09:00:00Z',
      });
      // The keys are the ones the service now builds.
      expect(keys.auth_2).toBe(idempotencyKey('net_a', { acquirerId: '412345', stan: '000002', transmissionTime: '2026-11-23T12:00:00.000+03:00' }));
    });
  });

  if (backend === 'postgres') {
    describe('instances starting together on an empty PostgreSQL schema', () => {
      it('build the schema, data keys, product and network client exactly once', async () => {
        fresh = await freshDatabase(backend);
        const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
        const secrets = { adminApiKey: 'a'.repeat(32), networkKeyId: 'net_boot', networkSecret: 'n'.repeat(32), masterKey: randomBytes(32) };
        const logger = createLogger('silent');
        // Pools of one connection: the start-up lock must not need a second one from the pool.
        const instances = await Promise.all([1, 2, 3].map(() =>
          startServices({ config, secrets, logger, handle: fresh.open({ poolSize: 1 }), metrics: false })));
        try {
          const db = fresh.handle.db;
          const keys = await db.selectFrom('data_keys').select('purpose').execute();
          expect(keys.map((k) => k.purpose).sort()).toEqual(['cvv', 'fingerprint', 'pan']);
          expect(await db.selectFrom('products').select('code').execute()).toHaveLength(1);
          expect(await db.selectFrom('network_clients').select('key_id').execute()).toEqual([{ key_id: 'net_boot' }]);
          expect(await currentVersion(fresh.handle)).toBe(SCHEMA_VERSION);
          // Same keys everywhere: one instance finds the fingerprint another computes.
          const pan = '4657810000000018';
          expect(new Set(instances.map((d) => d.keyring.fingerprint(pan))).size).toBe(1);
        } finally {
          for (const d of instances) await d.eventRelay?.stop();
        }
      });
    });
  }
});
