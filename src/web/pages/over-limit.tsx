// Switch the one-time exceed off (no code) or back on (with a code), with a confirmation.
import type { Hono } from 'hono';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import type { CardView } from '../../service/banking/card-view.js';
import { switchOverLimit } from '../../service/banking/over-limit-switch.js';
import { cardOr404 } from '../cards.js';
import { Csrf, ErrorNotice, OtpField } from '../components.js';
import { attempt } from '../errors.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

function confirmPage(w: BankingWeb, card: CardView, error?: { message: string; status: number }) {
  const { t } = w;
  const turningOn = !card.overLimit.enabled;
  const title = turningOn ? t.exceedSwitchTitleOn : t.exceedSwitchTitleOff;
  return page(w, { title, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{title}</h1>
      <p>{turningOn ? t.exceedSwitchOnIntro : t.exceedSwitchOffIntro}</p>
      <ErrorNotice w={w} message={error?.message} />
      <form method="post" action={`/cards/${card.id}/over-limit`} class="stack">
        <Csrf w={w} />
        <input type="hidden" name="enabled" value={turningOn ? '1' : '0'} />
        {turningOn ? <OtpField w={w} error={error?.message} autofocus /> : null}
        <div class="button-row">
          <button type="submit" class="button primary">{t.confirmExceed}</button>
          <a class="button" href="/">{t.cancel}</a>
        </div>
      </form>
    </section>
  ));
}

export function registerOverLimitPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/cards/:id/over-limit', bankingPage(deps, async (w) => {
    const card = await cardOr404(w, w.c.req.param('id')!);
    return card instanceof Response ? card : confirmPage(w, card);
  }));
  app.post('/cards/:id/over-limit', bankingPage(deps, async (w) => {
    const card = await cardOr404(w, w.c.req.param('id')!);
    if (card instanceof Response) return card;
    const enabled = w.form.enabled === '1';
    const otp = (w.form.otp ?? '').trim() || undefined;
    const result = await attempt(w, () => switchOverLimit(deps, w.customerId, card.id, { enabled, otp }, cardholderActor(w.c)));
    if (result.ok) return w.c.redirect(`/?done=${enabled ? 'exceed-on' : 'exceed-off'}`, 303);
    return confirmPage(w, card, result.error);
  }));
}
