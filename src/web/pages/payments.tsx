// Pay the card from a current account. The amount is typed in KD with up to three decimals and
// converted to fils here; the service checks what is owed and the account's balance.
import type { Hono } from 'hono';
import { formatKd } from '../../domain/money.js';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listCurrentAccounts } from '../../service/banking/accounts.js';
import type { CardView } from '../../service/banking/card-view.js';
import { listCards } from '../../service/banking/list-cards.js';
import { payCard } from '../../service/banking/pay.js';
import { currentCard } from '../cards.js';
import { Csrf, ErrorNotice, Field, Kd, Notice } from '../components.js';
import { attempt, type PageError } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

/** "12.5" or "12.500" KD → 12500 fils; anything else → null. */
export function parseKdToFils(text: string): number | null {
  const m = /^(\d{1,7})(?:[.,](\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const fils = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return fils > 0 ? fils : null;
}

async function payForm(w: BankingWeb, card: CardView | null, error?: PageError) {
  const { t, lang } = w;
  const accounts = await listCurrentAccounts(w.deps, w.customerId);
  const done = w.c.req.query('paid');
  const paid = done && /^\d+$/.test(done) ? t.payDone(formatKd(Number(done), lang)) : null;
  return page(w, { title: t.paymentsTitle, nav: 'payments', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.paymentsTitle}</h1>
      {paid ? <Notice kind="success">{paid}</Notice> : null}
      <p>{t.paymentsIntro}</p>
      {card ? <p id="owed">{t.outstanding}: <Kd fils={card.outstanding} lang={lang} /></p> : <p class="empty">{t.noCardTitle}</p>}
      <ErrorNotice w={w} message={error?.message} />
      {card ? (
        <form method="post" action="/pay" class="stack">
          <Csrf w={w} />
          <div class="field">
            <label for="from">{t.payFrom}</label>
            <select id="from" name="from" required>
              {accounts.map((a) => (
                <option value={a.id} selected={w.form.from === a.id}>{t.accountOption(a.id.slice(-4), formatKd(a.balance, lang))}</option>
              ))}
            </select>
          </div>
          <Field id="amount" label={t.payAmount} hint={t.amountHint} inputmode="decimal" required dir="ltr"
            value={w.form.amount} error={error?.code === 'validation_error' ? error.message : undefined} />
          <button type="submit" class="button primary">{t.paySubmit}</button>
        </form>
      ) : null}
      <p><a href="/">{t.back}</a></p>
    </section>
  ));
}

export function registerPaymentsPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/pay', bankingPage(deps, async (w) => payForm(w, currentCard(await listCards(deps, w.customerId)))));
  app.post('/pay', bankingPage(deps, async (w) => {
    const card = currentCard(await listCards(deps, w.customerId));
    if (!card) return payForm(w, null);
    const amount = parseKdToFils(w.form.amount ?? '');
    if (amount === null) return payForm(w, card, { status: 400, code: 'validation_error', message: w.t.errors.validation_error });
    const from = w.form.from || undefined;
    const result = await attempt(w, () => payCard(deps, w.customerId, card.id, { amount, fromAccountId: from }, cardholderActor(w.c)));
    return result.ok ? w.c.redirect(`/pay?paid=${amount}`, 303) : payForm(w, card, result.error);
  }));
}
