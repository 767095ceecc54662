// Numbered migrations for databases created before a schema change. schema.sql always holds the
// full picture of a new database; a migration brings an existing one to the same place.
// Once applied somewhere, a migration is frozen.
import type { Dialect } from './db.js';

/** `statements` is a function when the SQL differs between the backends. */
export interface Migration { version: number; name: string; statements: string[] | ((dialect: Dialect) => string[]) }

/** An ISO 8601 time as text → `YYYY-MM-DDThh:mm:ssZ` in UTC (domain/transmission-time.ts), per backend. */
const CANONICAL_INSTANT: Record<Dialect, (text: string) => string> = {
  sqlite: (t) => `strftime('%Y-%m-%dT%H:%M:%SZ', ${t})`,
  // The fraction goes first: PostgreSQL would round it to the microsecond, possibly into the next second.
  // Text that is no date-time is NULL, as strftime makes it on SQLite, instead of failing the cast.
  postgres: (t) => `CASE WHEN ${t} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}' THEN to_char(CAST(regexp_replace(${t}, '\\.[0-9]+', '') AS timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END`,
};

export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial schema', statements: [] },
  {
    version: 2, name: 'open-holds index covers pending holds only',
    statements: [
      'DROP INDEX authorizations_open_holds',
      "CREATE INDEX authorizations_open_holds ON authorizations(expires_at, id) WHERE status = 'pending'",
    ],
  },
  {
    version: 3, name: 'holds stay out of the ledger indexes',
    statements: [
      'DROP INDEX ledger_transfers_account',
      "CREATE INDEX ledger_transfers_account ON ledger_transfers(account_id, created_at) WHERE kind = 'posted'",
      'DROP INDEX ledger_transfers_one_void',
      'CREATE UNIQUE INDEX ledger_transfers_one_void ON ledger_transfers(pending_id) WHERE pending_id IS NOT NULL',
    ],
  },
  {
    // Entries name their card account in a column: on SQLite the chain no longer does. Older rows
    // keep NULL (their stream names the account) and hash as they did; nothing is rewritten.
    version: 4, name: 'audit entries name their card account',
    statements: ['ALTER TABLE audit_log ADD COLUMN account_id TEXT'],
  },
  {
    // Purchase notifications are read from the approved authorizations now (notifications.repository.ts);
    // the rows written before would show each purchase twice. Each names its authorization, which
    // holds everything it said.
    version: 5, name: 'purchase notifications are the authorizations themselves',
    statements: ["DELETE FROM notifications WHERE kind = 'purchase_approved'"],
  },
  {
    // Each account's authorizations in (created_at, id) order become its chain; the accounts name
    // the newest (store/authorization-chains.repository.ts). The chains replace the
    // (account_id, created_at) index. No rolling upgrade across this one: an instance of the
    // previous version would go on writing authorizations that no chain reaches (stop them first;
    // docs/decisions/0053-authorization-chains-per-card-account.md).
    version: 6, name: 'authorizations chained per card account',
    statements: [
      'ALTER TABLE authorizations ADD COLUMN prev_authorization_id TEXT',
      'ALTER TABLE authorizations ADD COLUMN prev_approved_authorization_id TEXT',
      'ALTER TABLE card_accounts ADD COLUMN last_authorization_id TEXT',
      'ALTER TABLE card_accounts ADD COLUMN last_authorization_at BIGINT',
      'ALTER TABLE card_accounts ADD COLUMN last_approved_authorization_id TEXT',
      // One pass over authorizations, both pointers (a row version each on PostgreSQL, not two).
      `UPDATE authorizations SET prev_authorization_id = c.prev, prev_approved_authorization_id = c.prev_approved FROM (
         SELECT id,
           LAG(id) OVER (PARTITION BY account_id ORDER BY created_at, id) AS prev,
           CASE WHEN approved = 1 THEN LAG(id) OVER (PARTITION BY account_id, approved ORDER BY created_at, id) END AS prev_approved
         FROM authorizations WHERE account_id IS NOT NULL) AS c
       WHERE authorizations.id = c.id AND c.prev IS NOT NULL`,
      // One pass over authorizations for both heads of each account, as for the pointers.
      `UPDATE card_accounts SET last_authorization_id = h.last_id, last_authorization_at = h.last_at,
         last_approved_authorization_id = h.last_approved_id FROM (
         SELECT account_id,
           MAX(CASE WHEN n = 1 THEN id END) AS last_id,
           MAX(CASE WHEN n = 1 THEN created_at END) AS last_at,
           MAX(CASE WHEN approved = 1 AND n_same = 1 THEN id END) AS last_approved_id
         FROM (SELECT account_id, id, created_at, approved,
                 ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY created_at DESC, id DESC) AS n,
                 ROW_NUMBER() OVER (PARTITION BY account_id, approved ORDER BY created_at DESC, id DESC) AS n_same
               FROM authorizations WHERE account_id IS NOT NULL) AS ranked
         GROUP BY account_id) AS h
       WHERE card_accounts.id = h.account_id`,
      'DROP INDEX authorizations_account',
    ],
  },
  {
    // Blocked attempts are read from the declined authorizations now, as purchases already were
    // (notifications.repository.ts): the second chain holds every authorization the cardholder is
    // told of (domain/rules.ts, notifiesCardholder; the rule ids below are SECURITY_ALERT_RULES),
    // and the stored alerts, which would show each attempt twice, go. Each names its authorization,
    // which holds everything it said. No rolling upgrade across this one either: an instance of the
    // previous version writes the renamed columns.
    version: 7, name: 'blocked attempts are the declined authorizations themselves',
    statements: [
      'ALTER TABLE authorizations RENAME COLUMN prev_approved_authorization_id TO prev_notified_authorization_id',
      'ALTER TABLE card_accounts RENAME COLUMN last_approved_authorization_id TO last_notified_authorization_id',
      // Only rows whose pointer changes are written (blocked attempts, the approvals after them, and
      // the accounts whose newest of these is a blocked attempt).
      `UPDATE authorizations SET prev_notified_authorization_id = c.prev FROM (
         SELECT id, LAG(id) OVER (PARTITION BY account_id ORDER BY created_at, id) AS prev
         FROM authorizations
         WHERE account_id IS NOT NULL AND (approved = 1 OR rule_id IN ('channel_atm_or_cash', 'channel_card_present'))) AS c
       WHERE authorizations.id = c.id AND authorizations.prev_notified_authorization_id IS DISTINCT FROM c.prev`,
      `UPDATE card_accounts SET last_notified_authorization_id = h.id FROM (
         SELECT account_id, id FROM (
           SELECT account_id, id, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY created_at DESC, id DESC) AS n
           FROM authorizations
           WHERE account_id IS NOT NULL AND (approved = 1 OR rule_id IN ('channel_atm_or_cash', 'channel_card_present'))) AS ranked
         WHERE n = 1) AS h
       WHERE card_accounts.id = h.account_id AND card_accounts.last_notified_authorization_id IS DISTINCT FROM h.id`,
      "DELETE FROM notifications WHERE kind = 'blocked_attempt'",
    ],
  },
  {
    // The audit list's time filters run on the primary key (ids are made from created_at, see
    // service/audit/list-audit.ts); the index cost every authorization an entry of its own.
    version: 8, name: 'audit entries are no longer indexed by time',
    statements: ['DROP INDEX audit_log_time'],
  },
  {
    // Each network client speaks only for its acquirer ids (SPEC §6): an existing client keeps the
    // ones it has used; the one NETWORK_KEY_ID names is granted any at start (ensureBootstrapClient).
    // Idempotency keys become the client's own and compare transmissionTime as an instant:
    // `client|acquirer|stan|UTC second`. Existing keys are rewritten so that a retransmission arriving
    // after the upgrade still finds its original. Where two old rows now name the same instant (the
    // same request sent with two spellings of its time, stored twice before), the earliest, or the
    // one already spelled canonically, takes the key; the others keep their old spelling, prefixed.
    version: 9, name: 'network clients bound to acquirer ids; idempotency keys per client and instant',
    statements: (dialect) => {
      const time = 'substr(idempotency_key, length(acquirer_id) + length(stan) + 3)';
      return [
        'ALTER TABLE network_clients ADD COLUMN any_acquirer INTEGER NOT NULL DEFAULT 0',
        'CREATE TABLE network_client_acquirers (key_id TEXT NOT NULL, acquirer_id TEXT NOT NULL, PRIMARY KEY (key_id, acquirer_id))',
        `INSERT INTO network_client_acquirers (key_id, acquirer_id)
           SELECT DISTINCT network_client, acquirer_id FROM authorizations
           WHERE network_client IN (SELECT key_id FROM network_clients)`,
        // A time without an offset is UTC (DE 7), on PostgreSQL too.
        ...(dialect === 'postgres' ? ["SET LOCAL TIME ZONE 'UTC'"] : []),
        `UPDATE authorizations SET idempotency_key = k.new_key FROM (
           SELECT id, CASE WHEN n = 1 THEN canonical ELSE prefixed END AS new_key FROM (
             SELECT id, canonical, prefixed, ROW_NUMBER() OVER (PARTITION BY canonical
               ORDER BY CASE WHEN canonical = prefixed THEN 0 ELSE 1 END, created_at, id) AS n
             FROM (SELECT id, created_at, network_client || '|' || idempotency_key AS prefixed,
                     network_client || '|' || acquirer_id || '|' || stan || '|' || COALESCE(${CANONICAL_INSTANT[dialect](time)}, ${time}) AS canonical
                   FROM authorizations) AS keyed) AS ranked) AS k
         WHERE authorizations.id = k.id`,
      ];
    },
  },
  {
    // Refund authorizations, account verifications, credential on file, the network's conversion
    // and 3-D Secure on risk (SPEC §4, §5, §7). The blocked MCCs gain 7995 (gambling) only where
    // the product still has the old default list: a list staff changed stays theirs.
    version: 10, name: 'refunds, verifications and 3-D Secure on risk',
    statements: [
      'ALTER TABLE products ADD COLUMN frictionless_ceiling_fils BIGINT NOT NULL DEFAULT 20000',
      `UPDATE products SET blocked_mccs = '["6010","6011","6051","4829","7995"]' WHERE blocked_mccs = '["6010","6011","6051","4829"]'`,
      'ALTER TABLE authorizations ADD COLUMN network_billing_fils BIGINT',
      `CREATE INDEX authorizations_known_merchants ON authorizations(account_id, merchant_id)
         WHERE rule_id IN ('approved', 'approved_over_limit', 'verified')`,
    ],
  },
  {
    // Advices (stand-in) and split shipments (SPEC §5): where an authorization's decision came from,
    // which ones a person should look at, the advice that replaced a decision, each clearing part's
    // place in its shipment, and the reversal advices. Existing clearings are part 1 of 1, and their
    // record keys stay as they are (a part's key names its sequence only when it is above 1).
    version: 11, name: 'advices, reviews and split shipments',
    statements: [
      "ALTER TABLE authorizations ADD COLUMN source TEXT NOT NULL DEFAULT 'issuer'",
      'ALTER TABLE authorizations ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE authorizations ADD COLUMN superseded_by TEXT',
      'CREATE INDEX authorizations_needs_review ON authorizations(created_at, id) WHERE needs_review = 1',
      'ALTER TABLE clearings ADD COLUMN clearing_sequence INTEGER NOT NULL DEFAULT 1',
      'ALTER TABLE clearings ADD COLUMN clearing_count INTEGER NOT NULL DEFAULT 1',
      'CREATE INDEX clearings_needs_review ON clearings(created_at, id) WHERE needs_review = 1',
      `CREATE TABLE reversal_advices (
        id                TEXT PRIMARY KEY,
        idempotency_key   TEXT NOT NULL UNIQUE,
        request_hash      TEXT NOT NULL,
        network_client    TEXT NOT NULL,
        acquirer_id       TEXT,
        rrn               TEXT,
        authorization_id  TEXT,
        account_id        TEXT,
        replacement_amount BIGINT NOT NULL,
        reversed_fils     BIGINT NOT NULL,
        needs_review      INTEGER NOT NULL DEFAULT 0,
        created_at        BIGINT NOT NULL
      )`,
      'CREATE INDEX reversal_advices_needs_review ON reversal_advices(created_at, id) WHERE needs_review = 1',
    ],
  },
  {
    // Only the CAVV of a challenge the cardholder approved waives CVV2 (SPEC §7): the row records
    // whether it went through one. Older rows read as frictionless: their CAVVs no longer waive.
    version: 12, name: '3-D Secure authentications record a challenge',
    statements: ['ALTER TABLE three_ds_authentications ADD COLUMN challenged INTEGER NOT NULL DEFAULT 0'],
  },
  {
    // A rotated-out staff key names its successor: it may no longer manage keys, and revoking the
    // successor revokes it too.
    version: 13, name: 'staff keys name their successor',
    statements: ['ALTER TABLE staff_keys ADD COLUMN replaced_by TEXT'],
  },
  {
    // The merchants a card account knows move from a partial index over every approval (one more
    // randomly placed index entry per approval, a third of a group commit's pages) to a table
    // written once per account and merchant, filled from the approvals kept so far.
    version: 14, name: 'known merchants in a table of their own',
    statements: [
      `CREATE TABLE known_merchants (
        account_id   TEXT NOT NULL,
        merchant_id  TEXT NOT NULL,
        PRIMARY KEY (account_id, merchant_id)
      )`,
      `INSERT INTO known_merchants (account_id, merchant_id)
         SELECT DISTINCT account_id, merchant_id FROM authorizations
         WHERE account_id IS NOT NULL AND rule_id IN ('approved', 'approved_over_limit', 'verified')`,
      'DROP INDEX authorizations_known_merchants',
    ],
  },
];
