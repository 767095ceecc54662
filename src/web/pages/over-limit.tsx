// Switch the over-limit allowance off (no code) or back on (with a code), with a confirmation.
import type { Hono } from 'hono';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import type { CardView } from '../../service/banking/card-view.js';
import { switchOverLimit } from '../../service/banking/over-limit-switch.js';
import { registerCardForm } from '../card-form.js';
import { Csrf, ErrorNotice, formOtp, OtpField } from '../components.js';
import { otpErrors, type PageError } from '../errors.js';
import { page } from '../layout.js';
import type { BankingWeb } from '../web-context.js';

function confirmPage(w: BankingWeb, card: CardView, error?: PageError) {
  const { t } = w;
  const turningOn = !card.overLimit.enabled;
  const title = turningOn ? t.overLimitSwitchTitleOn : t.overLimitSwitchTitleOff;
  return page(w, { title, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{title}</h1>
      <p>{turningOn ? t.overLimitSwitchOnIntro : t.overLimitSwitchOffIntro}</p>
      <ErrorNotice w={w} {...otpErrors(error)} />
      <form method="post" action={`/cards/${card.id}/over-limit`} class="stack">
        <Csrf w={w} />
        <input type="hidden" name="enabled" value={turningOn ? '1' : '0'} />
        {turningOn ? <OtpField w={w} error={error?.message} autofocus /> : null}
        <div class="button-row">
          <button type="submit" class="button primary">{t.confirmOverLimit}</button>
          <a class="button" href="/">{t.cancel}</a>
        </div>
      </form>
    </section>
  ));
}

export function registerOverLimitPage(app: Hono<AppEnv>, deps: AppDeps) {
  registerCardForm(app, deps, '/cards/:id/over-limit', {
    form: confirmPage,
    act: (w, card) => switchOverLimit(deps, w.customerId, card.id, { enabled: w.form.enabled === '1', otp: formOtp(w) }, cardholderActor(w.c)),
    done: (w) => `/?done=${w.form.enabled === '1' ? 'exceed-on' : 'exceed-off'}`,
  });
}
