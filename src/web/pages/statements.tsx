// The card's monthly statements, newest first: one link a month from the card account's opening
// month to this month, each to the printable statement page (/statements/:cardId/:month).
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listStatementMonths } from '../../service/banking/statement-months.js';
import { askedOrCurrentCard } from '../cards.js';
import type { Language } from '../i18n/index.js';
import { page } from '../layout.js';
import { bankingPage } from '../web-context.js';

const LOCALE: Record<Language, string> = { en: 'en-GB', ar: 'ar-KW-u-nu-latn' };

/** "November 2026" / "نوفمبر 2026" for "2026-11". */
export function monthName(lang: Language, month: string): string {
  const [year, index] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(year, index - 1, 15));
}

export function registerStatementsPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/statements', bankingPage(deps, async (w) => {
    const { t, lang } = w;
    const card = await askedOrCurrentCard(w);
    if (card instanceof Response) return card;
    const months = card ? await listStatementMonths(deps, w.customerId, card.id) : [];
    return page(w, { title: t.statementsTitle, nav: 'statements' }, (
      <section class="panel narrow">
        <h1>{t.statementsTitle}</h1>
        {card ? <p>{t.statementsIntro}</p> : <p class="empty">{t.noCardTitle}</p>}
        {months.length ? (
          <ul class="months">
            {months.map((month, i) => (
              <li>
                <a href={`/statements/${encodeURIComponent(card!.id)}/${month}`} data-month={month}>{monthName(lang, month)}</a>
                {i === 0 ? <span class="hint"> ({t.statementSoFar})</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
        <p><a href="/">{t.back}</a></p>
      </section>
    ));
  }));
}
