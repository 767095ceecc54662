// Reveal the full card number after a code. The answer is never cached (no-store) and the client
// script hides it again after 60 seconds; "Hide now" simply leaves the page.
import type { Hono } from 'hono';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { revealCard } from '../../service/banking/reveal.js';
import { Csrf, ErrorNotice, OtpField } from '../components.js';
import { cardPage } from '../card-form.js';
import { attempt, type PageError, otpErrors } from '../errors.js';
import { limitSensitive } from '../rate-limits.js';
import { page } from '../layout.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

export const REVEAL_SECONDS = 60;

function revealForm(w: BankingWeb, cardId: string, error?: PageError) {
  const { t } = w;
  return page(w, { title: t.revealTitle, nav: 'dashboard', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.revealTitle}</h1>
      <p>{t.revealIntro}</p>
      <ErrorNotice w={w} {...otpErrors(error)} />
      <form method="post" action={`/cards/${cardId}/reveal`} class="stack">
        <Csrf w={w} />
        <OtpField w={w} error={error?.message} autofocus />
        <button type="submit" class="button primary">{t.revealSubmit}</button>
      </form>
      <p><a href="/">{t.back}</a></p>
    </section>
  ));
}

function revealed(w: BankingWeb, details: { pan: string; expiry: string; cvv2: string }) {
  const { t } = w;
  const pan = details.pan.match(/.{1,4}/g)!.join(' ');
  const expiry = `${details.expiry.slice(2, 4)}/${details.expiry.slice(0, 2)}`;
  return page(w, {
    title: t.revealTitle, nav: 'dashboard', langHref: '/',
    // Without script, leave the page after the same 60 seconds.
    head: <noscript><meta http-equiv="refresh" content={`${REVEAL_SECONDS};url=/`} /></noscript>,
  }, (
    <section class="panel narrow">
      <h1>{t.revealTitle}</h1>
      <div id="revealed" class="revealed" data-hide-after={String(REVEAL_SECONDS)} data-hidden-text={t.revealHidden}>
        <dl class="figures">
          <div><dt>{t.cardNumber}</dt><dd class="copy-row"><span id="reveal-pan" class="pan" dir="ltr" data-pan={details.pan}>{pan}</span>
            <button type="button" class="button small" data-copy={details.pan} data-copied={t.copied} hidden>{t.copyNumber}</button></dd></div>
          <div><dt>{t.expiryMmYy}</dt><dd class="copy-row"><span id="reveal-expiry" dir="ltr">{expiry}</span>
            <button type="button" class="button small" data-copy={expiry} data-copied={t.copied} hidden aria-label={`${t.copy} ${t.expiryMmYy}`}>{t.copy}</button></dd></div>
          <div><dt>{t.cvv2}</dt><dd class="copy-row"><span id="reveal-cvv2" dir="ltr">{details.cvv2}</span>
            <button type="button" class="button small" data-copy={details.cvv2} data-copied={t.copied} hidden aria-label={`${t.copy} ${t.cvv2}`}>{t.copy}</button></dd></div>
        </dl>
        <p id="reveal-countdown" class="hint" data-template={t.revealHiddenIn('{s}')}>{t.revealHiddenIn(String(REVEAL_SECONDS))}</p>
      </div>
      <p><a id="hide-now" class="button" href="/">{t.hideNow}</a></p>
    </section>
  ));
}

export function registerRevealPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/cards/:id/reveal', cardPage(deps, (w, card) => revealForm(w, card.id)));
  app.post('/cards/:id/reveal', bankingPage(deps, async (w) => {
    const cardId = w.c.req.param('id')!;
    const result = await attempt(w, async () => {
      await limitSensitive(w, 'reveal');
      return revealCard(deps, w.customerId, cardId, (w.form.otp ?? '').trim(), cardholderActor(w.c));
    });
    if (!result.ok) return revealForm(w, cardId, result.error);
    return revealed(w, result.value);
  }));
}
