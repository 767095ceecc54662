// A notification's text in the reader's language, rendered at read time from its kind and data
// (the source of truth) through the notice templates. The services also store an English
// `message`; it is the fallback when a row lacks what its template needs (rows written before a
// field was added, a kind this file does not know), so a reader always gets a sentence.
import { formatKd, type Language } from '../money.js';
// The guard freezes on exactly this many failures in a row (unfreezing resets the count).
import { CARD_TESTING_FREEZE_AFTER } from '../rules.js';
import { describeReason } from './descriptions.js';
import { kd as kdText, named } from './isolate.js';
import { notices, type Notices } from './notices.js';

/** What the text reads from a stored notification. */
export interface NotificationFacts { kind: string; data: string; card_id: string | null; message: string }

/**
 * What a notification's text needs beyond its own row: the last four digits of the cards it names
 * (its card, and the new card of a replacement) and the amount and merchant of an authorization it
 * points to (over_limit_used stores only the authorization id).
 */
export interface NotificationReferences {
  last4: Map<string, string>;
  authorizations: Map<string, { billingFils: number | null; merchantName: string }>;
}

type Data = Record<string, unknown>;

/** A notification's stored data (a JSON object); anything else reads as no data. */
export function parseNotificationData(text: string): Data {
  try {
    const data: unknown = JSON.parse(text);
    return data && typeof data === 'object' && !Array.isArray(data) ? data as Data : {};
  } catch {
    return {}; // stored by us; never fails in practice
  }
}

const text = (data: Data, key: string): string | null => (typeof data[key] === 'string' && data[key] !== '' ? data[key] as string : null);
const fils = (data: Data, key: string): number | null => (Number.isSafeInteger(data[key]) ? data[key] as number : null);

interface Facts { kind: string; data: Data; last4: string | null; refs: NotificationReferences; lang: Language; t: Notices }

/** The card-status templates, by the status the card moved to. */
function statusChange(f: Facts): string | null {
  const { t, last4, data } = f;
  if (!last4) return null;
  // A replaced lost or stolen card keeps its status (SPEC §2): the new card's id tells a replacement.
  const fresh = text(data, 'replacedBy');
  if (fresh) {
    const newLast4 = f.refs.last4.get(fresh);
    return newLast4 ? t.cardReplaced(last4, newLast4) : null;
  }
  switch (data.to) {
    case 'frozen': return t.cardFrozen(last4);
    case 'active': return t.cardActive(last4);
    case 'lost': return t.cardLost(last4);
    case 'stolen': return t.cardStolen(last4);
    case 'cancelled': return t.cardCancelled(last4);
    case 'blocked': return t.cardBlocked(last4);
    default: return null;
  }
}

function render(f: Facts): string | null {
  const { t, data, lang, last4 } = f;
  // English stays the exact text the services store; Arabic isolates the Latin parts (isolate.ts).
  const money = (v: number) => (lang === 'ar' ? kdText(v, lang) : formatKd(v, lang));
  const kd = (key: string) => { const v = fils(data, key); return v === null ? null : money(v); };
  const found = text(data, 'merchantName');
  const merchant = found ? named(found, lang) : found;
  switch (f.kind) {
    case 'purchase_approved': {
      const amount = kd('billingAmount');
      return amount && merchant ? t.purchaseApproved(amount, merchant) : null;
    }
    case 'over_limit_used': {
      const id = text(data, 'authorizationId');
      const auth = id ? f.refs.authorizations.get(id) : undefined;
      return auth && auth.billingFils !== null ? t.overLimitUsed(money(auth.billingFils), named(auth.merchantName, lang)) : null;
    }
    case 'blocked_attempt': {
      const reason = text(data, 'reason');
      return merchant && reason ? t.blockedAttempt(merchant, describeReason(reason, lang)) : null;
    }
    case 'card_frozen': return last4 ? t.frozenByGuard(last4, String(CARD_TESTING_FREEZE_AFTER)) : null;
    case 'card_issued': return last4 ? (text(data, 'replaces') ? t.replacementReady(last4) : t.cardIssued(last4)) : null;
    case 'card_revealed': return last4 ? t.cardRevealed(last4) : null;
    case 'card_status_changed': return statusChange(f);
    case 'limit_changed': {
      const from = kd('from');
      const to = kd('to');
      return from && to ? t.limitChanged(from, to) : null;
    }
    case 'over_limit_switched': return data.enabled === true ? t.overLimitOn : data.enabled === false ? t.overLimitOff : null;
    case 'payment_posted': { const amount = kd('amount'); return amount ? t.paymentPosted(amount) : null; }
    case 'refund_posted': { const amount = kd('amount'); return amount && merchant ? t.refundPosted(amount, merchant) : null; }
    case 'new_login': {
      if (!('ip' in data)) return null;
      const browser = text(data, 'browser');
      const system = text(data, 'system');
      if (browser && system) return t.newLoginOn(named(browser, f.lang), named(system, f.lang));
      return browser || system ? t.newLoginOnOne(named((browser ?? system)!, f.lang)) : t.newLogin;
    }
    case 'three_ds_challenge': {
      const amount = kd('billingAmount');
      return amount && merchant && last4 ? t.threeDsChallenge(amount, merchant, last4) : null;
    }
    default: return null;
  }
}

/** One notification's sentence in `lang`; the stored English message when the data falls short. */
export function notificationText(row: NotificationFacts, refs: NotificationReferences, lang: Language): string {
  const data = parseNotificationData(row.data);
  const last4 = row.card_id ? refs.last4.get(row.card_id) ?? null : null;
  return render({ kind: row.kind, data, last4, refs, lang, t: notices(lang) }) ?? row.message;
}
