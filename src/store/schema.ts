// Typed view of schema.sql for kysely. Keep in step with schema.sql (test/store/schema.test.ts checks).
import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SchemaMigrationsTable { version: number; name: string; applied_at: number }

export interface DataKeysTable {
  id: string; purpose: 'pan' | 'fingerprint' | 'cvv'; wrapped_key: string; master_key_id: string;
  active: number; created_at: number;
}

export interface ProductsTable {
  code: string; bin: string; allowed_limits: string; over_limit_margin_percent: number;
  blocked_mccs: string; hold_lifetime_days: number; fx_markup_bps: number;
  three_ds_threshold_fils: number | null; allow_mail_order: number; updated_at: number;
  frictionless_ceiling_fils: number;
}

export interface FxRatesTable { currency: string; rate: string; updated_at: number }

export interface CustomersTable {
  id: string; username: string; password_hash: string; name: string; language: string;
  totp_secret: string | null; totp_pending: string | null; totp_last_step: number; created_at: number;
}

export interface CurrentAccountsTable {
  id: string; customer_id: string; balance_fils: number; currency: string; created_at: number;
}

export interface CardAccountsTable {
  id: string; customer_id: string; product_code: string; limit_fils: number;
  posted_fils: number; held_fils: number; over_limit_enabled: number; over_limit_used: number;
  over_limit_auth_id: string | null; over_limit_used_at: number | null;
  status: 'open' | 'closed'; created_at: number; closed_at: number | null;
  last_authorization_id: string | null; last_authorization_at: number | null; last_notified_authorization_id: string | null;
}

export type CardStatus =
  | 'active' | 'frozen' | 'blocked' | 'lost' | 'stolen' | 'replaced' | 'cancelled' | 'expired';

export interface CardsTable {
  id: string; account_id: string; customer_id: string; status: CardStatus; status_reason: string | null;
  pan_ciphertext: string; pan_key_id: string; pan_fingerprint: string; bin: string; last4: string;
  expiry: string; verification_failures: number; replaced_by: string | null;
  created_at: number; updated_at: number;
}

export interface NetworkClientsTable {
  key_id: string; secret: string; secret_key_id: string; previous_secret: string | null;
  previous_until: number | null; name: string; active: number; created_at: number; any_acquirer: number;
}

export interface NetworkClientAcquirersTable { key_id: string; acquirer_id: string }

export type AuthorizationStatus = 'pending' | 'reversed' | 'expired' | 'cleared' | 'declined' | 'verified';

export interface AuthorizationsTable {
  id: string; account_id: string | null; card_id: string | null; idempotency_key: string;
  request_hash: string; network_client: string; acquirer_id: string; rrn: string; stan: string;
  processing_code: string; amount: number; currency: string; billing_fils: number | null;
  fx_rate: string | null; mcc: string; merchant_id: string; merchant_name: string;
  merchant_country: string; pos_entry_mode: string; response_code: string; reason: string;
  rule_id: string; approved: number; auth_code: string | null; over_limit: number;
  hold_fils: number; hold_transfer_id: string | null; status: AuthorizationStatus;
  expires_at: number | null; created_at: number; updated_at: number;
  prev_authorization_id: string | null; prev_notified_authorization_id: string | null;
  network_billing_fils: number | null;
  source: 'issuer' | 'advice'; needs_review: number; superseded_by: string | null;
}

export interface ReversalsTable {
  id: string; account_id: string | null; authorization_id: string; stan: string;
  replacement_amount: number; reversed_fils: number; created_at: number;
}

export interface LedgerTransfersTable {
  id: string; account_id: string | null; kind: 'pending' | 'void_pending' | 'posted';
  pending_id: string | null; debit_account: string; credit_account: string; amount_fils: number;
  reference: string; created_at: number;
}

export interface ClearingsTable {
  id: string; account_id: string | null; authorization_id: string | null; record_key: string;
  status: 'posted' | 'posted_unmatched'; processing_code: string; amount: number; currency: string;
  billing_fils: number; fx_rate: string | null; difference_fils: number | null; mcc: string;
  merchant_name: string; needs_review: number; created_at: number;
  clearing_sequence: number; clearing_count: number;
}

export interface ReversalAdvicesTable {
  id: string; idempotency_key: string; request_hash: string; network_client: string;
  acquirer_id: string | null; rrn: string | null; authorization_id: string | null; account_id: string | null;
  replacement_amount: number; reversed_fils: number; needs_review: number; created_at: number;
}

export interface PaymentsTable {
  id: string; account_id: string; from_account_id: string; amount_fils: number; created_at: number;
}

export interface IdempotencyKeysTable {
  scope: string; key: string; request_hash: string; status_code: number; response: string;
  created_at: number;
}

export interface SessionsTable {
  token_hash: string; id: string; customer_id: string; created_at: number; last_seen_at: number;
  expires_at: number; revoked_at: number | null; ip: string | null; user_agent: string | null;
}

export interface AuthFailuresTable {
  subject: string; failures: number; locked_until: number | null; updated_at: number;
}

export interface RateLimitsTable { bucket: string; window_start: number; hits: number }

export interface NotificationsTable {
  id: string; customer_id: string; account_id: string | null; card_id: string | null; kind: string;
  severity: 'info' | 'alert'; message: string; data: string; created_at: number; read_at: number | null;
}

/** A merchant where the card account has an approved purchase or a verification (schema.sql). */
export interface KnownMerchantsTable { account_id: string; merchant_id: string }

export interface ThreeDsAuthenticationsTable {
  id: string; account_id: string | null; card_id: string | null; customer_id: string | null;
  network_client: string; pan_fingerprint: string; amount: number; currency: string;
  billing_fils: number | null; merchant_id: string; merchant_name: string;
  trans_status: 'Y' | 'C' | 'N'; eci: string | null; cavv_ref: string | null; cavv_used_at: number | null;
  decided_at: number | null; expires_at: number; created_at: number;
  /** 1 when the authentication went through a challenge: only such a CAVV waives CVV2. */
  challenged: number;
}

export interface StaffKeysTable {
  id: string; name: string; role: 'admin' | 'ops' | 'auditor'; key_hash: string; active: number;
  expires_at: number | null; created_at: number;
  /** The key that replaced this one (set on rotation). */
  replaced_by: string | null;
}

export interface AuditLogTable {
  id: string; stream: string; seq: number; actor_type: string; actor_id: string; action: string;
  subject: string | null; source_ip: string | null; before_state: string | null;
  after_state: string | null; created_at: number; prev_hash: string; hash: string;
  /** The card account concerned (added by migration 4; older rows name it only in their stream). */
  account_id: string | null;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  data_keys: DataKeysTable;
  products: ProductsTable;
  fx_rates: FxRatesTable;
  customers: CustomersTable;
  current_accounts: CurrentAccountsTable;
  card_accounts: CardAccountsTable;
  cards: CardsTable;
  network_clients: NetworkClientsTable;
  network_client_acquirers: NetworkClientAcquirersTable;
  authorizations: AuthorizationsTable;
  known_merchants: KnownMerchantsTable;
  reversals: ReversalsTable;
  ledger_transfers: LedgerTransfersTable;
  clearings: ClearingsTable;
  reversal_advices: ReversalAdvicesTable;
  payments: PaymentsTable;
  idempotency_keys: IdempotencyKeysTable;
  sessions: SessionsTable;
  auth_failures: AuthFailuresTable;
  rate_limits: RateLimitsTable;
  notifications: NotificationsTable;
  three_ds_authentications: ThreeDsAuthenticationsTable;
  staff_keys: StaffKeysTable;
  audit_log: AuditLogTable;
}

export type Card = Selectable<CardsTable>;
export type CardAccount = Selectable<CardAccountsTable>;
export type Customer = Selectable<CustomersTable>;
export type Authorization = Selectable<AuthorizationsTable>;
export type NewAuthorization = Insertable<AuthorizationsTable>;
export type CardAccountUpdate = Updateable<CardAccountsTable>;
export type LedgerTransfer = Selectable<LedgerTransfersTable>;
export type ThreeDsAuthentication = Selectable<ThreeDsAuthenticationsTable>;
