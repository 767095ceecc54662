// Numbered migrations for databases created before a schema change. schema.sql always holds the
// full picture of a new database; a migration brings an existing one to the same place.
// Once applied somewhere, a migration is frozen.
export interface Migration { version: number; name: string; statements: string[] }

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
    // docs/decisions/performance.md).
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
];
