// What an authorization reads before it decides: an earlier authorization with the same
// idempotency key, the card and its account (both locked on PostgreSQL, account first) and the
// account's product. The card is locked with its account so that the status and the card-testing
// count the decision sees are the committed ones: a request that waited behind the account's lock
// would otherwise decide on the card as it was when its statement began (a correct CVV2 approved
// after a racing fifth failure froze the card).
// - SQLite: a prepared statement each. Nothing travels, and the product is read once per
//   group-commit batch (products.repository.ts).
// - PostgreSQL: one statement for all four when the card is known, which also takes the lock of the
//   account's audit chain, so that the authorization's write appends its audit entry in the same
//   statement (authorization-writes.repository.ts): an authorization is this read and that write.
//   A waiting lock returns the account and card as committed by the holder; the idempotency
//   look-up sees the statement's snapshot, so a retransmission racing its original finds nothing,
//   inserts, and meets the unique key, as with separate statements. A retransmission waits for the
//   account's lock before it is answered.
// - PostgreSQL, a group-commit batch (runtime/pg-group-commit.ts): the batch's authorizations are
//   read ahead in one statement (readAheadForBatch), account by account in account order (its rows,
//   then its chain), so that two batches lock the accounts they share in the same order. A unit
//   takes its read from there only while nothing of the batch before it can have changed what was
//   read: no earlier unit read its account or its idempotency key, and no unit of another kind
//   (a reversal, an advice) ran before it. Otherwise it reads on its own, as above, and sees what
//   the units before it wrote.
import type { Product } from '../domain/product.js';
import { AUTHORIZING_ACCOUNT_COLUMNS, AUTHORIZING_CARD_COLUMNS, type AuthorizingAccount, type AuthorizingCard } from './cards.repository.js';
import type { Dialect, Executor } from './db.js';
import { param, prepared } from '../runtime/prepared.js';
import { findProductInTransaction, PRODUCT_COLUMNS, productOfRow } from './products.repository.js';
import { sql, type QueryCreator, type Selectable } from 'kysely';
import { accountStream, lockAccountStream } from './audit.repository.js';
import type { Database, ProductsTable } from './schema.js';

export type AuthorizationReads =
  | { previousId: string }
  | {
    previousId?: undefined; card?: AuthorizingCard; account?: AuthorizingAccount; product: Readonly<Product>;
    /** The audit chain whose append lock the read took (PostgreSQL, a known card: its account's). */
    lockedStream?: string;
  };

const idByIdempotencyKey = prepared<{ key: string }, { id: string }>((db) =>
  db.selectFrom('authorizations').select('id').where('idempotency_key', '=', param('key')));
const cardByFingerprint = prepared<{ fingerprint: string }, AuthorizingCard>((db) =>
  db.selectFrom('cards').select(AUTHORIZING_CARD_COLUMNS).where('pan_fingerprint', '=', param('fingerprint')));
const accountById = prepared<{ id: string }, AuthorizingAccount>((db) =>
  db.selectFrom('card_accounts').select(AUTHORIZING_ACCOUNT_COLUMNS).where('id', '=', param('id')));

// Prefixes no card column starts with (`account_id` is a card column).
const ACCOUNT = 'a__';
const PRODUCT = 'p__';
/** A card with its account and product, the account's and product's columns prefixed: one authorization's read, or a batch's. */
const cardsWithAccounts = (db: QueryCreator<Database>) => db.selectFrom('cards as c')
  .innerJoin('card_accounts as a', 'a.id', 'c.account_id')
  .innerJoin('products as p', 'p.code', 'a.product_code')
  .select(AUTHORIZING_CARD_COLUMNS.map((c) => `c.${c}` as const))
  .select(AUTHORIZING_ACCOUNT_COLUMNS.map((c) => `a.${c} as ${ACCOUNT}${c}` as const))
  .select(PRODUCT_COLUMNS.map((c) => `p.${c} as ${PRODUCT}${c}` as const));

/** Per column of a joined row: its name in the row picked out, and its (prefixed) name in the read. */
type Keys = ReadonlyArray<readonly [string, string]>;
const keys = (columns: readonly string[], prefix: string): Keys => columns.map((c) => [c, prefix + c] as const);
// Computed once: a name built per read is looked up in V8's string table every time.
const CARD_KEYS = keys(AUTHORIZING_CARD_COLUMNS, '');
const ACCOUNT_KEYS = keys(AUTHORIZING_ACCOUNT_COLUMNS, ACCOUNT);
const PRODUCT_KEYS = keys(PRODUCT_COLUMNS, PRODUCT);
/** The names a joined row's columns have in the read. */
const JOINED_COLUMNS = [...CARD_KEYS, ...ACCOUNT_KEYS, ...PRODUCT_KEYS].map(([, key]) => key);

const lockedRead = (db: QueryCreator<Database>) => cardsWithAccounts(db)
  .select((eb) => eb.selectFrom('authorizations').select('id').where('idempotency_key', '=', param('key')).as('previous_id'))
  .where('c.pan_fingerprint', '=', param('fingerprint')).forUpdate(['a', 'c']);
const LOCKED_READ_COLUMNS = ['previous_id', ...JOINED_COLUMNS];
// The rows are locked first (a materialized CTE runs before the query that reads it), then the
// account's audit chain: the order every other append takes them in (rows it changed, then the
// chain), so the two statements this saves cannot make a deadlock.
const everythingLocked = prepared<{ fingerprint: string; key: string }, Record<string, unknown>>((db) =>
  db.with((cte) => cte('r').materialized(), lockedRead).selectFrom('r')
    .select(LOCKED_READ_COLUMNS.map((c) => `r.${c}`) as unknown as 'r.previous_id'[])
    .select(lockAccountStream(`r.${ACCOUNT}id`).as('audit_locked')));

/**
 * The reads of one authorization, inside its transaction. `fingerprint` is null for a PAN that
 * cannot be a card (no card is looked up). Without a card, the product is the default one.
 */
export async function readForAuthorization(trx: Executor, dialect: Dialect, key: string, fingerprint: string | null, defaultProduct: string): Promise<AuthorizationReads> {
  if (dialect === 'sqlite') return readAlone(trx, dialect, key, fingerprint, defaultProduct);
  const ahead = readsAhead.get(trx);
  if (!ahead) return readAlone(trx, dialect, key, fingerprint, defaultProduct);
  const reads = ahead.take(key, fingerprint) ?? await readAlone(trx, dialect, key, fingerprint, defaultProduct);
  ahead.read(key, reads);
  return reads;
}

async function readAlone(trx: Executor, dialect: Dialect, key: string, fingerprint: string | null, defaultProduct: string): Promise<AuthorizationReads> {
  if (dialect === 'postgres' && fingerprint !== null) {
    const row = await everythingLocked.first(trx, { fingerprint, key });
    if (row) return lockedReads(row, row.previous_id as string | null);
  }
  const previous = await idByIdempotencyKey.first(trx, { key });
  if (previous) return { previousId: previous.id };
  // On PostgreSQL the joined read found no card: none to read again.
  const card = fingerprint !== null && dialect === 'sqlite' ? await cardByFingerprint.first(trx, { fingerprint }) : undefined;
  const account = card ? await accountById.first(trx, { id: card.account_id }) : undefined;
  const product = await findProductInTransaction(trx, account?.product_code ?? defaultProduct);
  if (!product) throw new Error(`product ${account?.product_code ?? defaultProduct} is missing`);
  return { card, account, product };
}

/** A locked read's row (one card, its account and product, the account's chain locked). */
function lockedReads(row: Record<string, unknown>, previousId: string | null): AuthorizationReads {
  if (previousId !== null) return { previousId };
  const account = pick<AuthorizingAccount>(row, ACCOUNT_KEYS);
  return { card: pick(row, CARD_KEYS), account, product: productOfRow(pick<Selectable<ProductsTable>>(row, PRODUCT_KEYS)), lockedStream: accountStream(account.id) };
}

/** What one authorization of a batch will read: its idempotency key and its card's fingerprint (null: a PAN that cannot be a card). */
export interface AuthorizationReadHint { key: string; fingerprint: string | null }

// The batch's cards and accounts locked in account order, each account's chain right after its rows:
// a sort under FOR UPDATE locks rows as it returns them, and the outer query reads the materialized
// CTE row by row, in that order, taking each chain's lock as it goes (A's rows, A's chain, B's
// rows, …), the order a single authorization takes them in. The earlier authorizations with the
// batch's keys come beside them.
const batchLockedRead = (db: QueryCreator<Database>) => cardsWithAccounts(db)
  .where(sql<boolean>`c.pan_fingerprint = any(${param('fingerprints')}::text[])`)
  .orderBy('a.id').orderBy('c.id')
  .forUpdate(['a', 'c']);
const batchLocked = prepared<{ fingerprints: string[]; keys: string[] }, Record<string, unknown>>((db) =>
  db.with((cte) => cte('r').materialized(), batchLockedRead).selectFrom('r')
    .select(JOINED_COLUMNS.map((c) => `r.${c}`) as unknown as 'r.id'[])
    .select(lockAccountStream(`r.${ACCOUNT}id`).as('audit_locked'))
    .select(sql<Record<string, string>>`(select coalesce(json_object_agg(idempotency_key, id), '{}') from authorizations where idempotency_key = any(${param('keys')}::text[]))`.as('previous_ids')));

/** The reads taken ahead for one batch's transaction, and what its units have read since. */
class ReadsAhead {
  private readonly byFingerprint = new Map<string, Record<string, unknown>>();
  private previousIds: Record<string, string> = {};
  private readonly keysRead = new Set<string>();
  private readonly accountsRead = new Set<string>();
  private stale = false;

  constructor(rows: Record<string, unknown>[]) {
    for (const row of rows) this.byFingerprint.set(row.pan_fingerprint as string, row);
    if (rows.length) this.previousIds = rows[0].previous_ids as Record<string, string>;
  }

  /** The read ahead for this unit, if nothing before it in the batch can have changed it. */
  take(key: string, fingerprint: string | null): AuthorizationReads | undefined {
    if (this.stale || fingerprint === null || this.keysRead.has(key)) return undefined;
    const row = this.byFingerprint.get(fingerprint);
    if (!row || this.accountsRead.has(row[`${ACCOUNT}id`] as string)) return undefined;
    return lockedReads(row, this.previousIds[key] ?? null);
  }

  /** A unit read `reads` for `key` (ahead or on its own): later units may not use what it could change. */
  read(key: string, reads: AuthorizationReads): void {
    this.keysRead.add(key);
    if (reads.previousId === undefined && reads.account) this.accountsRead.add(reads.account.id);
  }

  /** A unit of another kind ran: it may have changed any account. */
  spoil(): void { this.stale = true; }
}

const readsAhead = new WeakMap<object, ReadsAhead>();

/**
 * Reads ahead, in a batch's transaction, what its authorizations will read (see the top of this
 * file): one statement for the batch. Units read from it through readForAuthorization.
 */
export async function readAheadForBatch(trx: Executor, hints: readonly AuthorizationReadHint[]): Promise<void> {
  const rows = await batchLocked.execute(trx, batchValues(hints));
  readsAhead.set(trx, new ReadsAhead(rows));
}

function batchValues(hints: readonly AuthorizationReadHint[]) {
  return { fingerprints: hints.flatMap((h) => (h.fingerprint === null ? [] : [h.fingerprint])), keys: hints.map((h) => h.key) };
}

/** A unit that is not an authorization is about to run in the batch: what was read ahead no longer holds. */
export function spoilReadsAhead(trx: Executor): void {
  readsAhead.get(trx)?.spoil();
}

/** The PostgreSQL group commit's read ahead (runtime/pg-group-commit.ts): hints are AuthorizationReadHints. */
export const authorizationReadAhead = {
  read: (trx: Executor, hints: unknown[]) => readAheadForBatch(trx, hints as AuthorizationReadHint[]),
  spoil: spoilReadsAhead,
  // The next batch's read ahead goes with this batch's COMMIT (runtime/pg-direct.ts, commitAndBegin).
  readNext: (trx: Executor, hints: unknown[]) => batchLocked.beginNextWith(trx, batchValues(hints as AuthorizationReadHint[])),
};

function pick<T>(row: Record<string, unknown>, columns: Keys): T {
  const picked: Record<string, unknown> = {};
  for (const [name, key] of columns) picked[name] = row[key];
  return picked as T;
}
