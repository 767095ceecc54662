// Change the limit to another of the product's values; raising it needs a code.
import type { Hono } from 'hono';
import { DEFAULT_PRODUCT_CODE } from '../../domain/product.js';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { getProduct } from '../../service/admin/products.js';
import type { CardView } from '../../service/banking/card-view.js';
import { changeLimit } from '../../service/banking/change-limit.js';
import { registerCardForm } from '../card-form.js';
import { Csrf, ErrorNotice, formOtp, Kd, LimitChoices, OtpField } from '../components.js';
import { otpErrors, type PageError } from '../errors.js';
import { page } from '../layout.js';
import type { BankingWeb } from '../web-context.js';

async function limitForm(w: BankingWeb, card: CardView, error?: PageError) {
  const { t, lang } = w;
  const product = await getProduct(w.deps, DEFAULT_PRODUCT_CODE);
  const chosen = Number(w.form.limit) || card.limit;
  return page(w, { title: t.limitTitle, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.limitTitle}</h1>
      <p>{t.limitIntro}</p>
      <p>{t.limit}: <Kd fils={card.limit} lang={lang} /> · {t.outstanding}: <Kd fils={card.outstanding} lang={lang} /></p>
      <ErrorNotice w={w} {...otpErrors(error)} />
      <form method="post" action={`/cards/${card.id}/limit`} class="stack">
        <Csrf w={w} />
        <LimitChoices legend={t.limitNew} limits={product.allowedLimits} chosen={chosen} lang={lang} />
        <OtpField w={w} label={t.otpIfRaising} required={false} error={error && otpErrors(error).fields ? error.message : undefined} />
        <button type="submit" class="button primary">{t.limitSubmit}</button>
      </form>
      <p><a href="/">{t.back}</a></p>
    </section>
  ));
}

export function registerLimitPage(app: Hono<AppEnv>, deps: AppDeps) {
  registerCardForm(app, deps, '/cards/:id/limit', {
    form: limitForm,
    act: (w, card) => changeLimit(deps, w.customerId, card.id, { limit: Number(w.form.limit), otp: formOtp(w) }, cardholderActor(w.c)),
    done: () => '/?done=limit',
  });
}
