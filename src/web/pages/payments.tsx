// Pay the card from a current account. "Payable now" (posted) is set apart from "pending" (held),
// with why pending amounts cannot be paid yet (SPEC §5: a payment is up to the posted balance owed);
// one-tap amounts fill the field; the current account is named as the customer knows it (its
// masked IBAN, never the internal id). The amount is typed in KD with up to three decimals, in
// Latin or Arabic-Indic digits, and converted to fils here.
import type { Hono } from 'hono';
import { normalizeDigits } from '../../domain/digits.js';
import { displayIban, maskIban } from '../../domain/iban.js';
import { payAmounts } from '../../domain/pay-amounts.js';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { listCurrentAccounts } from '../../service/banking/accounts.js';
import type { CardView } from '../../service/banking/card-view.js';
import { listCards } from '../../service/banking/list-cards.js';
import { payCard } from '../../service/banking/pay.js';
import { payableBalances, type Payable } from '../../service/banking/payable.js';
import { currentCard } from '../cards.js';
import { Csrf, ErrorNotice, Field, Kd, Notice } from '../components.js';
import { attempt, type PageError } from '../errors.js';
import { isolate, kd } from '../format.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

/** The bank code in the display IBANs of current accounts (domain/iban.ts). */
export const BANK_CODE = 'ISCB';

/** "12.5", "12.500", "1,500.000" or "١٢٫٥" KD → fils; anything else → null. */
export function parseKdToFils(text: string): number | null {
  // Thousands commas go; a remaining comma is a decimal comma ("12,5").
  const plain = normalizeDigits(text).trim().replace(/,(?=\d{3}(\D|$))/g, '').replace(',', '.');
  const m = /^(\d{1,7})(?:\.(\d{1,3}))?$/.exec(plain);
  if (!m) return null;
  const fils = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return fils > 0 ? fils : null;
}

/** KD with three decimals as typed in the field (Latin digits: the field is left-to-right). */
const fieldAmount = (fils: number) => `${Math.floor(fils / 1000)}.${String(fils % 1000).padStart(3, '0')}`;

function Balances({ w, payable }: { w: BankingWeb; payable: Payable }) {
  const { t, lang } = w;
  return (
    <dl class="figures pay-figures">
      <div class="payable"><dt>{t.payableNow}</dt><dd id="payable"><Kd fils={payable.postedFils} lang={lang} /></dd>
        <dd class="hint">{t.payableNowHint}</dd></div>
      <div class="pending"><dt>{t.pendingAmount}</dt><dd id="pending"><Kd fils={payable.pendingFils} lang={lang} /></dd>
        <dd class="hint" id="pending-why">{t.pendingWhy}</dd></div>
    </dl>
  );
}

async function payForm(w: BankingWeb, card: CardView | null, error?: PageError & { field?: string }) {
  const { t, lang } = w;
  const accounts = await listCurrentAccounts(w.deps, w.customerId);
  const payable = card ? await payableBalances(w.deps, w.customerId, card.id) : null;
  const amounts = payable ? payAmounts(payable) : null;
  const done = w.c.req.query('paid');
  const paid = done && /^\d+$/.test(done) ? t.payDone(kd(Number(done), lang)) : null;
  const amountError = error?.field === 'amount' ? error.message : undefined;
  return page(w, { title: t.paymentsTitle, nav: 'payments', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.paymentsTitle}</h1>
      {paid ? <Notice kind="success">{paid}</Notice> : null}
      <ErrorNotice w={w} {...(amountError ? { fields: [{ id: 'amount', message: amountError }] } : { message: error?.message })} />
      <p>{t.paymentsIntro}</p>
      {payable ? <Balances w={w} payable={payable} /> : <p class="empty">{t.noCardTitle}</p>}
      {card && payable && payable.postedFils <= 0 ? <p class="empty" id="nothing-payable">{t.nothingPayable}</p> : null}
      {card && payable && payable.postedFils > 0 ? (
        <form method="post" action="/pay" class="stack" novalidate>
          <Csrf w={w} />
          <div class="field">
            <label for="from">{t.payFrom}</label>
            <select id="from" name="from" required>
              {accounts.map((a) => (
                <option value={a.id} selected={w.form.from === a.id}>
                  {t.accountLabel(t.currentAccountName, isolate(maskIban(displayIban(a.id, BANK_CODE)), lang), kd(a.balance, lang))}
                </option>
              ))}
            </select>
          </div>
          {amounts && (amounts.allPostedFils || amounts.backUnderLimitFils) ? (
            <fieldset class="quick-amounts">
              <legend>{t.quickAmounts}</legend>
              <div class="button-row">
                {amounts.allPostedFils ? <button type="submit" name="quick" value={fieldAmount(amounts.allPostedFils)} class="button" id="pay-all">
                  {t.payAllPosted(kd(amounts.allPostedFils, lang))}</button> : null}
                {amounts.backUnderLimitFils ? <button type="submit" name="quick" value={fieldAmount(amounts.backUnderLimitFils)} class="button" id="pay-under">
                  {t.payBackUnder(kd(amounts.backUnderLimitFils, lang))}</button> : null}
              </div>
            </fieldset>
          ) : null}
          <Field id="amount" label={t.payAmount} hint={t.amountHint} inputmode="decimal" dir="ltr"
            value={w.form.amount} error={amountError} />
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
    const { t, lang } = w;
    const card = currentCard(await listCards(deps, w.customerId));
    if (!card) return payForm(w, null);
    // A one-tap amount is its own button ("quick"), so a half-typed field does not get in its way.
    const amount = parseKdToFils(w.form.quick || w.form.amount || '');
    if (amount === null) return payForm(w, card, { status: 400, code: 'validation_error', message: t.fieldAmountFormat, field: 'amount' });
    const from = w.form.from || undefined;
    const result = await attempt(w, () => payCard(deps, w.customerId, card.id, { amount, fromAccountId: from }, cardholderActor(w.c)));
    if (result.ok) return w.c.redirect(`/pay?paid=${amount}`, 303);
    if (result.error.code === 'overpayment') {
      const { postedFils } = await payableBalances(deps, w.customerId, card.id);
      return payForm(w, card, { ...result.error, message: `${result.error.message} ${t.fieldAmountTooMuch(kd(postedFils, lang))}`, field: 'amount' });
    }
    return payForm(w, card, result.error);
  }));
}
