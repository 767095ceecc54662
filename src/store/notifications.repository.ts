// The cardholder's notifications. Most are rows of `notifications`; purchase and blocked-attempt
// notifications are not stored: an approved authorization, or a decline the cardholder is alerted
// to (domain/rules.ts, notifiesCardholder), *is* one, read back from `authorizations` in the same
// shape. Writing a row for each cost the authorization a randomly keyed (customer_id, created_at)
// index entry, a page of its own at every group commit: 16 % of an approval's CPU, and 11 % of the
// WAL frames in the bench's mix (docs/decisions/0014-notifications.md). Its id is `ntf_` and the
// authorization id's time-ordered part, so every notification id has one prefix and ids sort in
// creation order, as they did when all were rows.
import type { Selectable } from 'kysely';
import { compareNewestFirst, type Cursor, type CursorKey } from '../domain/cursor.js';
import { describeReason } from '../domain/texts/descriptions.js';
import { formatKd } from '../domain/money.js';
import { ChainPage, MAX_WALKED_ABOVE_CURSOR } from '../domain/authorization-chain.js';
import { notifiesCardholder } from '../domain/rules.js';
import { newId } from '../ids.js';
import { walkChain, type ChainedAuthorization } from './authorization-chains.repository.js';
import type { Executor } from './db.js';
import { olderThan } from './keyset.js';
import { param, prepared } from '../runtime/prepared.js';
import type { NotificationsTable } from './schema.js';

export type NotificationRow = Selectable<NotificationsTable>;

export interface NewNotification {
  customerId: string;
  accountId?: string | null;
  cardId?: string | null;
  kind: string;
  severity: 'info' | 'alert';
  message: string;
  data?: Record<string, unknown>;
  nowMs: number;
}

export const PURCHASE_APPROVED = 'purchase_approved';
const BLOCKED_ATTEMPT = 'blocked_attempt';
/** The kinds read from authorizations: the stored side never answers for them. */
const KINDS_OF_AUTHORIZATIONS = [PURCHASE_APPROVED, BLOCKED_ATTEMPT];

/** True for a notification read from its account's chain of authorizations (not a stored row). */
export function isChained(row: Pick<NotificationRow, 'kind'>): boolean {
  return KINDS_OF_AUTHORIZATIONS.includes(row.kind);
}
export const NOTIFICATION_PREFIX = 'ntf_';
const AUTHORIZATION_PREFIX = 'auth_';

/** The notification id of an authorization's notification (a purchase or a blocked attempt). */
function notificationIdOf(authorizationId: string): string {
  return NOTIFICATION_PREFIX + authorizationId.slice(AUTHORIZATION_PREFIX.length);
}

/** The authorization a notification id would name if it were a purchase or a blocked attempt. */
function authorizationIdOf(notificationId: string): string {
  return AUTHORIZATION_PREFIX + notificationId.slice(NOTIFICATION_PREFIX.length);
}

// Alerts and account events are written in the authorization's transaction: compiled once.
const insertNotification = prepared<NotificationsTable, never>((db) => db.insertInto('notifications').values({
  id: param('id'), customer_id: param('customer_id'), account_id: param('account_id'), card_id: param('card_id'),
  kind: param('kind'), severity: param('severity'), message: param('message'), data: param('data'),
  created_at: param('created_at'), read_at: param('read_at'),
}));

export async function addNotification(trx: Executor, n: NewNotification): Promise<string> {
  const id = newId('ntf', n.nowMs);
  await insertNotification.execute(trx, {
    id, customer_id: n.customerId, account_id: n.accountId ?? null, card_id: n.cardId ?? null,
    kind: n.kind, severity: n.severity, message: n.message, data: JSON.stringify(n.data ?? {}),
    created_at: n.nowMs, read_at: null,
  });
  return id;
}

/** The English text of a purchase notification (the web and the API render it per language). */
function purchaseMessage(billingFils: number, merchantName: string): string {
  return `Purchase of ${formatKd(billingFils, 'en')} at ${merchantName} approved.`;
}

/** The English text of a blocked attempt's alert. */
function blockedAttemptMessage(merchantName: string, reason: string): string {
  return `Security alert: someone tried your card at ${merchantName}. ${describeReason(reason, 'en')}`;
}

interface NotifiedAuthorization {
  id: string; account_id: string | null; card_id: string | null; approved: number; rule_id: string; billing_fils: number | null;
  merchant_name: string; reason: string; created_at: number;
}

/** Whether an authorization row is one the cardholder is told of (a purchase or a blocked attempt). */
function isNotified(row: { approved: number; rule_id: string }): boolean {
  return notifiesCardholder({ approved: Number(row.approved) === 1, ruleId: row.rule_id });
}

/** The notification an authorization on the notified chain is: a purchase, or a blocked attempt. */
function authorizationNotification(customerId: string, a: NotifiedAuthorization): NotificationRow {
  const common = { id: notificationIdOf(a.id), customer_id: customerId, account_id: a.account_id, card_id: a.card_id,
    created_at: Number(a.created_at), read_at: null };
  if (Number(a.approved) !== 1) {
    return { ...common, kind: BLOCKED_ATTEMPT, severity: 'alert', message: blockedAttemptMessage(a.merchant_name, a.reason),
      data: JSON.stringify({ authorizationId: a.id, reason: a.reason, merchantName: a.merchant_name }) };
  }
  const billingFils = Number(a.billing_fils);
  return { ...common, kind: PURCHASE_APPROVED, severity: 'info', message: purchaseMessage(billingFils, a.merchant_name),
    data: JSON.stringify({ authorizationId: a.id, billingAmount: billingFils, merchantName: a.merchant_name }) };
}

/**
 * The last `count` rows of a walk and any row before them in the same millisecond: ids, not the
 * walk, order a millisecond's rows, so the oldest `count` by (created_at, id) are among these.
 */
function lastWithTies<R extends { created_at: number }>(walked: R[], count: number): R[] {
  if (walked.length <= count) return walked;
  let from = walked.length - count;
  while (from > 0 && walked[from - 1].created_at === walked[from].created_at) from--;
  return walked.slice(from);
}

/** The card accounts a customer holds cards on (cards_customer index), with their newest notified authorization. */
async function accountsOf(db: Executor, customerId: string) {
  return db.selectFrom('cards').innerJoin('card_accounts', 'card_accounts.id', 'cards.account_id')
    .select(['card_accounts.id', 'card_accounts.last_notified_authorization_id as head']).distinct()
    .where('cards.customer_id', '=', customerId).execute();
}

type Account = Awaited<ReturnType<typeof accountsOf>>[number];

/** The purchases and blocked attempts of a newest-first window, and where the page after a key resumes. */
interface NewestWalks {
  rows: NotifiedAuthorization[];
  /** The resume ids of the accounts with rows left for the page after `key` (see Cursor). */
  resumeIdsAt(key: CursorKey): string[];
  /** The cursor was not made here: a resume id not on the customer's chains, or a walk past the bound. */
  cursorRefused: boolean;
}

/**
 * The customer's purchases and blocked attempts newest first before the cursor: each account's
 * notified chain walked from where the cursor says it resumes (accounts it does not name have
 * nothing left; a cursor naming none walks every account from its head), so a deep page costs what
 * the first does, and a walk that passes more than MAX_WALKED_ABOVE_CURSOR rows newer than the
 * cursor is refused (a forged cursor would otherwise walk a whole history).
 */
async function newestWalks(db: Executor, accounts: Account[], before: Cursor | null, limit: number): Promise<NewestWalks> {
  const key = before && { createdAt: before.createdAt, id: authorizationIdOf(before.id) };
  let walked = accounts.map((account) => ({ account, start: account.head }));
  let cursorRefused = false;
  if (before?.resumeIds) {
    const resumeIds = before.resumeIds;
    const owners = resumeIds.length ? await db.selectFrom('authorizations').select(['id', 'account_id', 'approved', 'rule_id'])
      .where('id', 'in', resumeIds).execute() : [];
    const starts = new Map<string, string>();
    for (const o of owners) {
      if (o.account_id !== null && isNotified(o) && accounts.some((a) => a.id === o.account_id) && !starts.has(o.account_id)) {
        starts.set(o.account_id, o.id);
      }
    }
    cursorRefused = starts.size !== resumeIds.length;
    walked = accounts.filter((a) => starts.has(a.id)).map((account) => ({ account, start: starts.get(account.id)! }));
  }
  const pages = await Promise.all(walked.map(async ({ account, start }) => {
    const page = new ChainPage<ChainedAuthorization>(key, limit, MAX_WALKED_ABOVE_CURSOR);
    const ended = await walkChain(db, account.id, 'notified', start, limit + 1, (row) => page.add(row));
    if (page.refused()) cursorRefused = true;
    return { page, ended };
  }));
  return {
    rows: pages.flatMap(({ page }) => page.rows()),
    resumeIdsAt: (at) => {
      const next = { createdAt: at.createdAt, id: authorizationIdOf(at.id) };
      return pages.filter(({ page, ended }) => !page.usedUpAt(next, ended)).map(({ page }) => page.resumeAt(next)!);
    },
    cursorRefused,
  };
}

/**
 * The oldest `limit` purchases and blocked attempts since fromMs (for an account in chainedFromMs,
 * since that time): the walk reads every one since then, as the chain is newest first.
 */
async function oldestWalks(db: Executor, accounts: Account[], w: Extract<NotificationWindow, { order: 'oldest' }>): Promise<NotifiedAuthorization[]> {
  const perAccount = await Promise.all(accounts.map(async (account) => {
    // Walked newest first: the oldest `limit` are among the last ones read, so only those are kept.
    const fromMs = Math.max(w.fromMs, w.chainedFromMs?.get(account.id) ?? w.fromMs);
    let since: NotifiedAuthorization[] = [];
    await walkChain(db, account.id, 'notified', account.head, w.limit, (row) => {
      if (row.created_at < fromMs) return false;
      since.push(row);
      if (since.length >= 2 * w.limit) since = lastWithTies(since, w.limit);
      return true;
    });
    return lastWithTies(since, w.limit);
  }));
  return perAccount.flat();
}

/**
 * Which notifications: newest first before a cursor, or oldest first from a time. An oldest-first
 * reader that has already been given an account's chained notifications up to some time (the event
 * stream) says so in `chainedFromMs` (account id → that time): the walk of that account's chain then
 * stops there instead of at fromMs, so a reader that looks again and again reads what is new, not
 * the whole window each time (a flood of blocked attempts would otherwise be walked at every look).
 * Everything it was given is older than or as old as that time along the chain, and whatever it
 * was not given is as new or newer: the chain is in commit order, and created_at never decreases
 * along it.
 */
export type NotificationWindow =
  | { order: 'newest'; before: Cursor | null; limit: number }
  | { order: 'oldest'; fromMs: number; limit: number; chainedFromMs?: ReadonlyMap<string, number> };

/** One window's rows, and what a cursor after it carries (newest first; see NewestWalks). */
export interface NotificationWindowRows extends Omit<NewestWalks, 'rows'> {
  rows: NotificationRow[];
}

/**
 * One window of a customer's notifications, stored ones and those read from authorizations merged
 * in (created_at, id) order. Purchases and blocked attempts are read by walking each account's
 * notified chain (authorization-chains.repository.ts); other declines are not on it, so every row
 * walked is a notification.
 */
export async function notificationWindow(db: Executor, customerId: string, w: NotificationWindow): Promise<NotificationWindowRows> {
  const direction = w.order === 'newest' ? 'desc' : 'asc';
  // Rows of these kinds stored before migrations 5 and 7 would show twice: the stored side never
  // answers for them.
  let stored = db.selectFrom('notifications').selectAll().where('customer_id', '=', customerId).where('kind', 'not in', KINDS_OF_AUTHORIZATIONS);
  stored = w.order === 'newest' ? stored.where(olderThan(w.before, 'notifications')) : stored.where('created_at', '>=', w.fromMs);
  const accounts = await accountsOf(db, customerId);
  const [storedRows, walks] = await Promise.all([
    stored.orderBy('created_at', direction).orderBy('id', direction).limit(w.limit).execute(),
    w.order === 'newest' ? newestWalks(db, accounts, w.before, w.limit)
      : oldestWalks(db, accounts, w).then((rows) => ({ rows, resumeIdsAt: () => [], cursorRefused: false })),
  ]);
  const merged = [
    ...storedRows.map((r) => ({ ...r, created_at: Number(r.created_at) })),
    // Only such rows are chained; the check keeps any other from showing as an alert.
    ...walks.rows.filter(isNotified).map((a) => authorizationNotification(customerId, a)),
  ];
  const key = (r: NotificationRow) => ({ createdAt: r.created_at, id: r.id });
  merged.sort(w.order === 'newest' ? (a, b) => compareNewestFirst(key(a), key(b)) : (a, b) => compareNewestFirst(key(b), key(a)));
  return { rows: merged.slice(0, w.limit), resumeIdsAt: walks.resumeIdsAt, cursorRefused: walks.cursorRefused };
}

/** The rows of one window (see notificationWindow). */
export async function notificationRows(db: Executor, customerId: string, w: NotificationWindow): Promise<NotificationRow[]> {
  return (await notificationWindow(db, customerId, w)).rows;
}

/** One of the customer's notifications by id (a stored one, else a purchase or a blocked attempt), or undefined. */
export async function findNotification(db: Executor, customerId: string, id: string): Promise<NotificationRow | undefined> {
  if (!id.startsWith(NOTIFICATION_PREFIX)) return undefined;
  const row = await db.selectFrom('notifications').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
  if (row) return { ...row, created_at: Number(row.created_at) };
  const authorization = await db.selectFrom('authorizations')
    .innerJoin('cards', 'cards.id', 'authorizations.card_id')
    .select(['authorizations.id', 'authorizations.account_id', 'authorizations.card_id', 'authorizations.approved',
      'authorizations.rule_id', 'authorizations.billing_fils', 'authorizations.merchant_name', 'authorizations.reason',
      'authorizations.created_at'])
    .where('authorizations.id', '=', authorizationIdOf(id))
    .where('cards.customer_id', '=', customerId)
    .executeTakeFirst();
  if (!authorization || !isNotified(authorization)) return undefined;
  return authorizationNotification(customerId, authorization);
}
