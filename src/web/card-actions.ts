// What the cardholder can do with the card in its current state: links to each action's page.
import type { CardView } from '../service/banking/card-view.js';
import type { BankingWeb } from './web-context.js';

export function cardActions(w: BankingWeb, card: CardView): [string, string][] {
  const { t } = w;
  const base = `/cards/${card.id}`;
  const actions: [string, string][] = [];
  const usable = card.status === 'active' || card.status === 'frozen';
  if (usable) actions.push([`${base}/reveal`, t.actionReveal], [`${base}/limit`, t.actionLimit]);
  if (usable && !card.overLimit.used) {
    actions.push([`${base}/over-limit`, card.overLimit.enabled ? t.actionOverLimitOff : t.actionOverLimitOn]);
  }
  if (card.status === 'active') actions.push([`${base}/freeze`, t.actionFreeze]);
  if (card.status === 'frozen') actions.push([`${base}/unfreeze`, t.actionUnfreeze]);
  if (usable || card.status === 'blocked') actions.push([`${base}/report`, t.actionReport]);
  const ends = usable || card.status === 'lost' || card.status === 'stolen' || card.status === 'expired';
  if (ends) actions.push([`${base}/replace`, t.actionReplace], [`${base}/cancel`, t.actionCancel]);
  return actions;
}
