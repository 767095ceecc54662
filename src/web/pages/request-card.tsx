// Request a card: pick one of the product's limits (100 or 200 KD), read the terms in two sentences.
import type { Hono } from 'hono';
import { DEFAULT_PRODUCT_CODE } from '../../domain/product.js';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { getProduct } from '../../service/admin/products.js';
import { requestCard } from '../../service/banking/issue-card.js';
import { Csrf, ErrorNotice, LimitChoices } from '../components.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

async function requestForm(w: BankingWeb, error?: { message: string; status: number }) {
  const { t, lang } = w;
  const product = await getProduct(w.deps, DEFAULT_PRODUCT_CODE);
  const chosen = Number(w.form.limit) || product.allowedLimits[0];
  return page(w, { title: t.requestTitle, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.requestTitle}</h1>
      <p>{t.requestIntro}</p>
      <ErrorNotice w={w} message={error?.message} />
      <form method="post" action="/cards/new" class="stack">
        <Csrf w={w} />
        <LimitChoices legend={t.chooseLimit} limits={product.allowedLimits} chosen={chosen} lang={lang} />
        <section class="terms" aria-labelledby="terms-title">
          <h2 id="terms-title">{t.termsTitle}</h2>
          <p>{t.terms(String(product.overLimitMarginPercent))}</p>
        </section>
        <button type="submit" class="button primary">{t.requestSubmit}</button>
      </form>
    </section>
  ));
}

export function registerRequestCardPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/cards/new', bankingPage(deps, (w) => requestForm(w)));
  app.post('/cards/new', bankingPage(deps, async (w) => {
    const limit = Number(w.form.limit);
    const result = await attempt(w, () => requestCard(deps, w.customerId, limit, cardholderActor(w.c)));
    if (result.ok) return w.c.redirect('/?done=requested', 303);
    return requestForm(w, result.error);
  }));
}
