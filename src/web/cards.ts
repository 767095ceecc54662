// Which card the pages show, its status in words, and the one-line confirmations after an action.
import { formatKd } from '../domain/money.js';
import type { CardView } from '../service/banking/card-view.js';
import type { CardStatus } from '../store/schema.js';
import type { Dict } from './i18n/index.js';
import { getCard, listCards } from '../service/banking/list-cards.js';
import { ServiceError } from '../service/errors.js';
import { errorPage } from './pages/error.js';
import type { BankingWeb, Web } from './web-context.js';

/** The newest card that still stands for the account: replaced and cancelled ones are history. */
export function currentCard(cards: CardView[]): CardView | null {
  return cards.find((c) => c.status !== 'replaced' && c.status !== 'cancelled') ?? null;
}

const STATUS: Record<CardStatus, keyof Dict> = {
  active: 'statusActive', frozen: 'statusFrozen', blocked: 'statusBlocked', lost: 'statusLost',
  stolen: 'statusStolen', replaced: 'statusReplaced', cancelled: 'statusCancelled', expired: 'statusExpired',
};

export const statusLabel = (t: Dict, status: CardStatus): string => t[STATUS[status]] as string;

/** `?done=<what>` after a redirect: only known keys, so nothing from the URL is echoed. */
export function flashMessage(w: Web, done: string | undefined, card: CardView | null): string | null {
  const { t } = w;
  switch (done) {
    case 'enrolled': return t.enrolDone;
    case 'requested': return t.requestDone;
    case 'limit': return card ? t.limitDone(formatKd(card.limit, w.lang)) : null;
    case 'exceed-off': return t.overLimitSwitchedOff;
    case 'exceed-on': return t.overLimitSwitchedOn;
    case 'freeze': return t.doneFreeze;
    case 'unfreeze': return t.doneUnfreeze;
    case 'report': return t.doneReport;
    case 'replace': return t.doneReplace;
    case 'cancel': return t.doneCancel;
    default: return null;
  }
}

/** `?card=<id>` (404 when not the customer's), else the current card, else null (no card yet). */
export async function askedOrCurrentCard(w: BankingWeb): Promise<CardView | null | Response> {
  const asked = w.c.req.query('card');
  return asked ? cardOr404(w, asked) : currentCard(await listCards(w.deps, w.customerId));
}

/** The customer's card for a page, or the 404 page (another customer's card is "not found" too). */
export async function cardOr404(w: BankingWeb, cardId: string): Promise<CardView | Response> {
  try {
    return await getCard(w.deps, w.customerId, cardId);
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'not_found') return errorPage(w, 404, w.t.errors.not_found);
    throw error;
  }
}
