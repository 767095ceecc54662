// Transactions of the current card, newest first; declined attempts (ATM, shop terminal, over the
// limit…) are highlighted with the reason in the page's language. "Older" follows nextCursor.
import type { Hono } from 'hono';
import { describeReason } from '../../domain/descriptions.js';
import type { TransactionItem } from '../../domain/transactions.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listTransactions } from '../../service/banking/list-transactions.js';
import { askedOrCurrentCard } from '../cards.js';
import { ErrorNotice, formatDate, Kd } from '../components.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

function Row({ w, item }: { w: BankingWeb; item: TransactionItem }) {
  const { t, lang } = w;
  const blocked = item.status === 'declined';
  // The reason's own "Blocked:"/"Declined:" lead-in is dropped: the row's tag already says it.
  const description = blocked && item.reason ? describeReason(item.reason, lang).replace(/^[^:]{1,20}:\s*/, '') : item.description;
  return (
    <tr class={blocked ? 'blocked' : undefined} data-status={item.status}>
      <td data-label={t.txDate}><time datetime={item.createdAt}>{formatDate(lang, item.createdAt, true)}</time></td>
      <td data-label={t.txMerchant} dir="auto">{item.merchantName ?? '—'}</td>
      <td data-label={t.txAmount} class="num">
        {item.billingAmount !== null ? <Kd fils={item.billingAmount} lang={lang} /> : <bdi>{`${item.amount} ${item.currency}`}</bdi>}
      </td>
      <td data-label={t.txResult}>
        {/* One child, so the phone layout (label | content) keeps the result in one piece. */}
        <span class="result-text">
          {blocked ? <strong class="tag">{t.txBlocked}: </strong> : <span>{t.txStatus[item.status]} · </span>}
          <span class="description">{description}</span>
          {item.overLimit ? <span> · {t.txOverLimit}</span> : null}
        </span>
      </td>
    </tr>
  );
}

export function registerTransactionsPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/transactions', bankingPage(deps, async (w) => {
    const { t } = w;
    const card = await askedOrCurrentCard(w);
    if (card instanceof Response) return card;
    const cursor = w.c.req.query('cursor') || undefined;
    const result = card ? await attempt(w, () => listTransactions(deps, w.customerId, card.id, { cursor })) : null;
    const items = result?.ok ? result.value.data : [];
    const next = result?.ok ? result.value.nextCursor : null;
    return page(w, { title: t.txTitle, nav: 'transactions', status: result && !result.ok ? result.error.status : undefined }, (
      <section class="panel">
        <h1>{t.txTitle}</h1>
        <ErrorNotice w={w} message={result && !result.ok ? result.error.message : undefined} />
        {items.length === 0 ? <p class="empty">{t.txEmpty}</p> : (
          <table class="responsive">
            <thead><tr><th scope="col">{t.txDate}</th><th scope="col">{t.txMerchant}</th><th scope="col" class="num">{t.txAmount}</th><th scope="col">{t.txResult}</th></tr></thead>
            <tbody>{items.map((item) => <Row w={w} item={item} />)}</tbody>
          </table>
        )}
        {card && next ? <p><a rel="next" href={`/transactions?card=${encodeURIComponent(card.id)}&cursor=${encodeURIComponent(next)}`}>{t.txMore}</a></p> : null}
        <p><a href="/">{t.back}</a></p>
      </section>
    ));
  }));
}
