// One purchase or decline as a compact row: merchant, amount, and for a decline what happened in
// words with its numbers and the next step. The customer's own declines (over the limit, a mistyped
// code) and security blocks (someone trying the card where it never works) look different
// (domain/decline-kind.ts); a security block offers to freeze the card.
import { declineKind } from '../domain/decline-kind.js';
import type { TransactionItem } from '../domain/transactions.js';
import type { CardView } from '../service/banking/card-view.js';
import { formatDate, Kd } from './components.js';
import { kd } from './format.js';
import type { BankingWeb } from './web-context.js';

/** Why it was declined and what to do, with the amounts (available as it is now). */
export function declineWhy(w: BankingWeb, item: TransactionItem, card: CardView | null): string {
  const { t, lang } = w;
  const why = t.declineWhy as Record<string, unknown>;
  if (item.reason === 'over_limit' && item.billingAmount !== null && card) {
    const amount = kd(item.billingAmount, lang);
    const available = kd(card.available, lang);
    return item.billingAmount > card.available ? t.declineWhy.over_limit(amount, available) : t.declineWhy.over_limit_now_fits(amount, available);
  }
  const text = item.reason ? why[item.reason] : undefined;
  return typeof text === 'string' ? text : t.declineWhy.generic;
}

function Amount({ w, item }: { w: BankingWeb; item: TransactionItem }) {
  return item.billingAmount !== null ? <Kd fils={item.billingAmount} lang={w.lang} /> : <bdi class="amount">{`${item.amount}\u00a0${item.currency}`}</bdi>;
}

export function ActivityRow({ w, item, card, withDate = true }: { w: BankingWeb; item: TransactionItem; card: CardView | null; withDate?: boolean }) {
  const { t, lang } = w;
  const declined = item.status === 'declined';
  const kind = declined && item.reason ? declineKind(item.reason) : null;
  const cls = kind ? `activity decline decline-${kind}` : 'activity';
  return (
    <li class={cls} data-status={item.status} data-kind={kind ?? undefined} data-reason={item.reason ?? undefined}>
      <div class="activity-main">
        <span class="activity-merchant"><bdi>{item.merchantName ?? '—'}</bdi></span>
        <span class="activity-amount num"><Amount w={w} item={item} /></span>
      </div>
      <div class="activity-sub">
        {kind ? <strong class="tag">{kind === 'security' ? t.declineSecurity : t.declineOwn}</strong>
          : <span class="activity-status">{t.txStatus[item.status]}{item.overLimit ? ` · ${t.txOverLimit}` : ''}</span>}
        {withDate ? <time datetime={item.createdAt}>{formatDate(lang, item.createdAt, true)}</time> : <time datetime={item.createdAt}>{timeOnly(lang, item.createdAt)}</time>}
      </div>
      {kind ? <p class="activity-why">{declineWhy(w, item, card)}</p> : null}
      {kind === 'security' && card?.status === 'active' ? (
        <p class="activity-actions"><a class="button small danger" href={`/cards/${card.id}/freeze`}>{t.actionFreeze}</a></p>
      ) : null}
      {kind === 'own' && item.reason === 'over_limit' && card ? (
        <p class="activity-actions"><a class="button small" href="/pay">{t.quickPay}</a> <a class="button small" href={`/cards/${card.id}/limit`}>{t.actionLimit}</a></p>
      ) : null}
    </li>
  );
}

function timeOnly(lang: 'en' | 'ar', at: string): string {
  return new Intl.DateTimeFormat(lang === 'ar' ? 'ar-KW-u-nu-latn' : 'en-GB', { timeStyle: 'short', timeZone: 'Asia/Kuwait' }).format(new Date(at));
}
