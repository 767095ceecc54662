// What an authorization writes once it has decided: the hold's pending transfer (approvals), the
// account's move (the hold and the heads of its chains; every authorization on a known account),
// the authorization row, its merchant made known (an approved purchase or a verification), and its
// audit entry.
// - SQLite: a prepared statement each. Nothing travels.
// - PostgreSQL, on a known account: one statement, the transfer, the account's move, the merchant
//   made known (known-merchants.repository.ts) and the audit entry (the chain's head read, the
//   hash, the insert: audit.repository.ts) as data-modifying CTEs
//   of the authorization's insert: four round trips fewer than a statement each. The writes touch
//   different rows of different tables and none reads another's (no foreign key or trigger joins
//   them); the account's row and its audit chain are locked since the read
//   (authorization-reads.repository.ts), so the head the statement reads is the chain's. A failure
//   undoes all of them, as the transaction did before.
// One statement per dialect and shape (with or without a hold): what the decision changed travels
// as values (the hold, the over-limit allowance's next state), never as a statement of its own.
import type { QueryCreator } from 'kysely';
import type { OverLimitAllowance } from '../domain/over-limit-allowance.js';
import { appendAudit, auditChainFor, auditEntryOf, auditHeadOf, lockedAppendValues, type AuditEntry, type LockedAppendValues } from './audit.repository.js';
import type { Dialect, Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import { knownMerchantInsert, knownMerchantValues, rememberKnownMerchant } from './known-merchants.repository.js';
import { insertTransferRow } from './ledger.repository.js';
import type { Authorization, Database, LedgerTransfer } from './schema.js';

/** The account row's move: the hold (unchanged by a decline), the heads of its chains and the allowance. */
export interface AccountMove {
  id: string; held: number; authId: string; at: number; notifiedHead: string | null;
  /**
   * The over-limit allowance after this authorization (decideAuthorization's accountChange): as
   * read for most, spent in this authorization's name by the one approval over the limit (SPEC §3).
   * The account's row is locked since the read, so writing it back whole loses nobody's change.
   */
  overLimit: OverLimitAllowance;
}

export interface AuthorizationWrites {
  /** The hold's pending transfer, for an approval. */
  transfer: LedgerTransfer | null;
  /** Null for an authorization on no known account (an unknown card). */
  move: AccountMove | null;
  row: Authorization;
}

const authorizationValues = () => ({
  id: param('id'), account_id: param('account_id'), card_id: param('card_id'), idempotency_key: param('idempotency_key'), request_hash: param('request_hash'), network_client: param('network_client'), acquirer_id: param('acquirer_id'), rrn: param('rrn'), stan: param('stan'), processing_code: param('processing_code'), amount: param('amount'), currency: param('currency'), billing_fils: param('billing_fils'), fx_rate: param('fx_rate'), mcc: param('mcc'), merchant_id: param('merchant_id'), merchant_name: param('merchant_name'), merchant_country: param('merchant_country'), pos_entry_mode: param('pos_entry_mode'), response_code: param('response_code'), reason: param('reason'), rule_id: param('rule_id'), approved: param('approved'), auth_code: param('auth_code'), over_limit: param('over_limit'), hold_fils: param('hold_fils'), hold_transfer_id: param('hold_transfer_id'), status: param('status'), expires_at: param('expires_at'), created_at: param('created_at'), updated_at: param('updated_at'), prev_authorization_id: param('prev_authorization_id'), prev_notified_authorization_id: param('prev_notified_authorization_id'), network_billing_fils: param('network_billing_fils'),
  source: param('source'), needs_review: param('needs_review'), superseded_by: param('superseded_by'),
});

/** The move's and the transfer's values, under names no authorization column has (`m_`, `t_`). */
interface OtherValues {
  m_id: string; m_held: number; m_auth_id: string; m_at: number; m_notified_head: string | null;
  m_ol_enabled: number; m_ol_used: number; m_ol_auth_id: string | null; m_ol_used_at: number | null;
  t_id?: string; t_account_id?: string | null; t_kind?: string; t_pending_id?: string | null; t_debit_account?: string;
  t_credit_account?: string; t_amount_fils?: number; t_reference?: string; t_created_at?: number;
  k_account?: string; k_merchant?: string;
}

const moveOf = (db: QueryCreator<Database>) => db.updateTable('card_accounts').set({
  held_fils: param('m_held'), last_authorization_id: param('m_auth_id'), last_authorization_at: param('m_at'),
  last_notified_authorization_id: param('m_notified_head'),
  over_limit_enabled: param('m_ol_enabled'), over_limit_used: param('m_ol_used'),
  over_limit_auth_id: param('m_ol_auth_id'), over_limit_used_at: param('m_ol_used_at'),
}).where('id', '=', param('m_id'));
const transferOf = (db: QueryCreator<Database>) => db.insertInto('ledger_transfers').values({
  id: param('t_id'), account_id: param('t_account_id'), kind: param('t_kind'), pending_id: param('t_pending_id'),
  debit_account: param('t_debit_account'), credit_account: param('t_credit_account'),
  amount_fils: param('t_amount_fils'), reference: param('t_reference'), created_at: param('t_created_at'),
});

// SQLite: one statement per write.
const insertAuthorization = prepared<Authorization, never>((db) => db.insertInto('authorizations').values(authorizationValues()));
const moveAccount = prepared<OtherValues, never>((db) => moveOf(db));
// PostgreSQL: one statement for all of them, in one of four shapes: with or without a hold, with or
// without the merchant made known. A CTE's builder is typed with the CTEs before it, which these
// writes do not read (the entry reads `audit_head`, which its SQL names).
const asCreator = (qc: unknown) => qc as QueryCreator<Database>;
function onAccount(hold: boolean, known: boolean) {
  return prepared<Authorization, never>((db) => {
    const writes = [
      ...(hold ? [['hold', transferOf]] as const : []),
      ['move', moveOf] as const,
      ...(known ? [['known', knownMerchantInsert]] as const : []),
    ];
    let q = db.with(writes[0][0], (qc) => writes[0][1](qc));
    for (const [name, write] of writes.slice(1)) q = q.with(name, (qc) => write(asCreator(qc))) as typeof q;
    return q.with('audit_head', (qc) => auditHeadOf(asCreator(qc))).with('audit_entry', (qc) => auditEntryOf(asCreator(qc)))
      .insertInto('authorizations').values(authorizationValues());
  });
}
const ON_ACCOUNT = { held: onAccount(true, false), heldKnown: onAccount(true, true), plain: onAccount(false, false), known: onAccount(false, true) };

function otherValues(m: AccountMove, t: LedgerTransfer | null): OtherValues {
  const a = m.overLimit;
  const values: OtherValues = {
    m_id: m.id, m_held: m.held, m_auth_id: m.authId, m_at: m.at, m_notified_head: m.notifiedHead,
    m_ol_enabled: a.enabled ? 1 : 0, m_ol_used: a.used ? 1 : 0, m_ol_auth_id: a.usedByAuthorizationId, m_ol_used_at: a.usedAtMs,
  };
  if (t) {
    values.t_id = t.id; values.t_account_id = t.account_id; values.t_kind = t.kind; values.t_pending_id = t.pending_id;
    values.t_debit_account = t.debit_account; values.t_credit_account = t.credit_account; values.t_amount_fils = t.amount_fils;
    values.t_reference = t.reference; values.t_created_at = t.created_at;
  }
  return values;
}

/**
 * Writes the authorization and appends `entry` to the audit log. `lockedStream` names the audit
 * chain whose lock the transaction already holds (readForAuthorization on PostgreSQL, for a known
 * card): there, on a known account, everything is one statement.
 */
export async function writeAuthorization(trx: Executor, dialect: Dialect, w: AuthorizationWrites, entry: AuditEntry, lockedStream?: string): Promise<void> {
  if (w.transfer && !w.move) throw new Error('an approval moves its account');
  if (w.move && !w.transfer && w.move.overLimit.usedByAuthorizationId === w.move.authId) {
    throw new Error('only an approval spends the over-limit allowance');
  }
  if (dialect === 'postgres' && w.move) {
    const stream = entry.stream ?? auditChainFor(dialect, entry.accountId);
    // Without the chain's lock the head the statement reads could be another transaction's past.
    if (stream !== lockedStream) throw new Error(`the audit chain ${stream} is not locked by this transaction`);
    const known = knownMerchantValues(w.row);
    const values: OtherValues & LockedAppendValues = Object.assign(otherValues(w.move, w.transfer), known, lockedAppendValues(entry, stream));
    const shape = w.transfer ? (known ? ON_ACCOUNT.heldKnown : ON_ACCOUNT.held) : (known ? ON_ACCOUNT.known : ON_ACCOUNT.plain);
    // Nothing reads its result: in a group-commit batch it goes with the next statement or COMMIT.
    await shape.executeDeferrable(trx, w.row, values);
    return;
  }
  if (w.transfer) await insertTransferRow(trx, w.transfer);
  // SQLite writes the transfer from its own row: the move's values alone.
  if (w.move) await moveAccount.execute(trx, otherValues(w.move, null));
  await insertAuthorization.execute(trx, w.row);
  await rememberKnownMerchant(trx, w.row);
  await appendAudit(trx, entry);
}
