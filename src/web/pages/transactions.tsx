// Transactions of the current card, newest first, as compact rows grouped by day. Declines explain
// themselves (activity.tsx): the customer's own look different from security blocks, each with its
// numbers and next step. "Older" follows nextCursor.
import type { Hono } from 'hono';
import type { TransactionItem } from '../../domain/transactions.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listTransactions } from '../../service/banking/list-transactions.js';
import { ActivityRow } from '../activity.js';
import { askedOrCurrentCard } from '../cards.js';
import { ErrorNotice, formatDate } from '../components.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

const dayKey = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kuwait' }).format(new Date(iso));

/** Consecutive items of one Kuwait calendar day, newest day first. */
export function groupByDay(items: TransactionItem[]): { day: string; items: TransactionItem[] }[] {
  const groups: { day: string; items: TransactionItem[] }[] = [];
  for (const item of items) {
    const day = dayKey(item.createdAt);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}

function dayLabel(w: BankingWeb, day: string, nowMs: number): string {
  if (day === dayKey(new Date(nowMs).toISOString())) return w.t.today;
  if (day === dayKey(new Date(nowMs - 86_400_000).toISOString())) return w.t.yesterday;
  return formatDate(w.lang, `${day}T12:00:00+03:00`);
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
    const nowMs = deps.clock.now();
    return page(w, { title: t.txTitle, nav: 'transactions', status: result && !result.ok ? result.error.status : undefined }, (
      <section class="panel">
        <h1>{t.txTitle}</h1>
        <ErrorNotice w={w} message={result && !result.ok ? result.error.message : undefined} />
        {items.length === 0 ? <p class="empty">{t.txEmpty}</p> : groupByDay(items).map((group, i) => (
          <section class="day" aria-labelledby={`day-${i}`}>
            <h2 class="day-heading" id={`day-${i}`}><time datetime={group.day}>{dayLabel(w, group.day, nowMs)}</time></h2>
            <ul class="activities">{group.items.map((item) => <ActivityRow w={w} item={item} card={card} withDate={false} />)}</ul>
          </section>
        ))}
        {card && next ? <p><a rel="next" href={`/transactions?card=${encodeURIComponent(card.id)}&cursor=${encodeURIComponent(next)}`}>{t.txMore}</a></p> : null}
        <p><a href="/">{t.back}</a></p>
      </section>
    ));
  }));
}
