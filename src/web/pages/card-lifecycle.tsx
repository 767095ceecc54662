// Freeze, unfreeze, report lost or stolen, replace (code) and cancel (code): each its own
// confirmation page, then Post/Redirect/Get to the dashboard with a `?done=` message.
import type { Hono } from 'hono';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { cancelCard } from '../../service/banking/cancel-card.js';
import type { CardView } from '../../service/banking/card-view.js';
import { changeCardStatus, unfreezeNeedsCode } from '../../service/banking/change-card-status.js';
import { replaceCard } from '../../service/banking/replace-card.js';
import { registerCardForm } from '../card-form.js';
import { Csrf, ErrorNotice, formOtp, OtpField } from '../components.js';
import { otpErrors, type PageError } from '../errors.js';
import type { Dict } from '../i18n/index.js';
import { page } from '../layout.js';
import type { BankingWeb } from '../web-context.js';

export type LifecycleAction = 'freeze' | 'unfreeze' | 'report' | 'replace' | 'cancel';

interface ActionText { title: keyof Dict; intro: keyof Dict; confirm: keyof Dict; needsCode: boolean }

const ACTIONS: Record<LifecycleAction, ActionText> = {
  freeze: { title: 'freezeTitle', intro: 'freezeIntro', confirm: 'confirmFreeze', needsCode: false },
  unfreeze: { title: 'unfreezeTitle', intro: 'unfreezeIntro', confirm: 'confirmUnfreeze', needsCode: false },
  report: { title: 'reportTitle', intro: 'reportIntro', confirm: 'confirmReport', needsCode: false },
  replace: { title: 'replaceTitle', intro: 'replaceIntro', confirm: 'confirmReplace', needsCode: true },
  cancel: { title: 'cancelTitle', intro: 'cancelIntro', confirm: 'confirmCancel', needsCode: true },
};

async function confirmPage(w: BankingWeb, card: CardView, action: LifecycleAction, error?: PageError) {
  const { t } = w;
  const text = ACTIONS[action];
  // A card the card-testing guard froze is unfrozen with a code (SPEC §2).
  const needsCode = text.needsCode || (action === 'unfreeze' && await unfreezeNeedsCode(w.deps, w.customerId, card.id));
  const title = t[text.title] as string;
  return page(w, { title, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{title}</h1>
      <p>{t[text.intro] as string}</p>
      {action === 'report' ? (
        <p class="notice notice-info" id="lost-phone">{t.lostPhone('')}<a href={`tel:${w.deps.config.supportPhone.replace(/[^+0-9]/g, '')}`} dir="ltr"><bdi>{w.deps.config.supportPhone}</bdi></a></p>
      ) : null}
      <ErrorNotice w={w} {...otpErrors(error)} />
      <form method="post" action={`/cards/${card.id}/${action}`} class="stack">
        <Csrf w={w} />
        {action === 'report' ? (
          <fieldset class="choices">
            <legend>{t.reportReason}</legend>
            <label class="choice"><input type="radio" name="reason" value="lost" checked={w.form.reason !== 'stolen'} required /> {t.reportLost}</label>
            <label class="choice"><input type="radio" name="reason" value="stolen" checked={w.form.reason === 'stolen'} /> {t.reportStolen}</label>
          </fieldset>
        ) : null}
        {needsCode ? <OtpField w={w} error={error?.message} autofocus /> : null}
        <div class="button-row">
          {/* What cannot be undone (report, replace, cancel) and the freeze look like the danger they are. */}
          <button type="submit" class={action === 'unfreeze' ? 'button primary' : 'button danger'}>{t[text.confirm] as string}</button>
          <a class="button" href="/">{t.cancel}</a>
        </div>
      </form>
    </section>
  ));
}

function run(w: BankingWeb, card: CardView, action: LifecycleAction) {
  const actor = cardholderActor(w.c);
  const otp = formOtp(w);
  switch (action) {
    case 'freeze': return changeCardStatus(w.deps, w.customerId, card.id, action, actor);
    case 'unfreeze': return changeCardStatus(w.deps, w.customerId, card.id, action, actor, otp);
    case 'report': return changeCardStatus(w.deps, w.customerId, card.id, w.form.reason === 'stolen' ? 'report_stolen' : 'report_lost', actor);
    case 'replace': return replaceCard(w.deps, w.customerId, card.id, otp, actor);
    case 'cancel': return cancelCard(w.deps, w.customerId, card.id, otp, actor);
  }
}

/** The route pattern only lets the five actions through. */
const actionOf = (w: BankingWeb) => w.c.req.param('action') as LifecycleAction;

export function registerCardLifecyclePages(app: Hono<AppEnv>, deps: AppDeps) {
  registerCardForm(app, deps, `/cards/:id/:action{${Object.keys(ACTIONS).join('|')}}`, {
    form: (w, card, error) => confirmPage(w, card, actionOf(w), error),
    act: (w, card) => run(w, card, actionOf(w)),
    done: (w) => `/?done=${actionOf(w)}`,
  });
}
