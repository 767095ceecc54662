// Card lifecycle (SPEC §2): which status each action leads to, from each status. Pure data and
// one lookup; the services load the card, ask here, then write. Anything not in the table is a
// refusal, so a new status or action is refused until someone decides what it means.
export type CardStatusName = 'active' | 'frozen' | 'blocked' | 'lost' | 'stolen' | 'replaced' | 'cancelled' | 'expired';

export type CardAction = 'freeze' | 'unfreeze' | 'report_lost' | 'report_stolen' | 'replace' | 'cancel' | 'block';

export type TransitionDecision =
  | { ok: true; next: CardStatusName; changed: boolean }
  | { ok: false; code: 'invalid_transition'; message: string };

/**
 * from-status → action → next status. `same` marks a repeat that changes nothing (freeze a frozen
 * card): answered as success so a retried request is harmless.
 * - A bank block can only be lifted by the bank: the cardholder cannot unfreeze, replace or cancel it.
 * - Lost and stolen are terminal for the credential (it keeps answering 41/43); the account lives on
 *   through replace, or ends with cancel — the lost/stolen card keeps its status in both cases.
 * - Replace of an expired card is a renewal.
 */
const TABLE: Record<CardStatusName, Partial<Record<CardAction, CardStatusName>>> = {
  active: { freeze: 'frozen', unfreeze: 'active', report_lost: 'lost', report_stolen: 'stolen', replace: 'replaced', cancel: 'cancelled', block: 'blocked' },
  frozen: { freeze: 'frozen', unfreeze: 'active', report_lost: 'lost', report_stolen: 'stolen', replace: 'replaced', cancel: 'cancelled', block: 'blocked' },
  blocked: { report_lost: 'lost', report_stolen: 'stolen', block: 'blocked' },
  lost: { report_lost: 'lost', report_stolen: 'stolen', replace: 'lost', cancel: 'lost' },
  stolen: { report_stolen: 'stolen', replace: 'stolen', cancel: 'stolen' },
  expired: { replace: 'replaced', cancel: 'cancelled' },
  replaced: {},
  cancelled: {},
};

const VERB: Record<CardAction, string> = {
  freeze: 'frozen', unfreeze: 'unfrozen', report_lost: 'reported lost', report_stolen: 'reported stolen',
  replace: 'replaced', cancel: 'cancelled', block: 'blocked',
};

export interface LifecycleCard {
  status: CardStatusName;
  /** Set once a replacement was issued for this card: it cannot be replaced or cancelled again. */
  replacedBy: string | null;
}

export function decideTransition(card: LifecycleCard, action: CardAction): TransitionDecision {
  const next = TABLE[card.status][action];
  const alreadySucceeded = card.replacedBy !== null && (action === 'replace' || action === 'cancel');
  if (next === undefined || alreadySucceeded) {
    const why = alreadySucceeded ? 'it has already been replaced' : `it is ${card.status}`;
    return { ok: false, code: 'invalid_transition', message: `This card cannot be ${VERB[action]}: ${why}.` };
  }
  // Replace and cancel always act (a new card, a closed account) even when the status stays.
  const acts = action === 'replace' || action === 'cancel';
  return { ok: true, next, changed: acts || next !== card.status };
}

/** Actions a cardholder may take; `block` belongs to bank staff. */
export const CARDHOLDER_ACTIONS: readonly CardAction[] = ['freeze', 'unfreeze', 'report_lost', 'report_stolen', 'replace', 'cancel'];

/**
 * The status an authorization must act on. A closed account's usable cards are cancelled: the
 * account's status decides, whatever the card row says (the card is read with its account, and
 * the account closes in the same transaction that cancels its card).
 * Lost and stolen stay what they are (41/43) on a closed account.
 */
export function effectiveCardStatus(cardStatus: CardStatusName, accountStatus: 'open' | 'closed'): CardStatusName {
  if (accountStatus === 'open') return cardStatus;
  return cardStatus === 'lost' || cardStatus === 'stolen' || cardStatus === 'replaced' ? cardStatus : 'cancelled';
}

/** Why the card-testing guard froze a card (cards.status_reason). */
export const CARD_TESTING_REASON = 'card_testing';

/**
 * Undoing a freeze the system made needs a step-up code (SPEC §2): whoever guessed the card's
 * CVV2 may hold the cardholder's session too. A cardholder's own freeze needs none.
 */
export function unfreezeNeedsStepUp(card: { status: CardStatusName; statusReason: string | null }): boolean {
  return card.status === 'frozen' && card.statusReason === CARD_TESTING_REASON;
}
