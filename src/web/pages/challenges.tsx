// 3-D Secure challenges waiting for the cardholder: approve with a code, or decline. Each answer
// counts against the same rate-limit window as the API's (rate-limits.ts).
import type { Hono } from 'hono';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { approveChallenge, declineChallenge, listChallenges } from '../../service/three-ds/challenges.js';
import { Csrf, ErrorNotice, formatDate, Kd, Notice, OtpField } from '../components.js';
import { kd, named } from '../format.js';
import { listPastChallenges } from '../../service/three-ds/past-challenges.js';
import { attempt, type PageError } from '../errors.js';
import { page } from '../layout.js';
import { limitSensitive } from '../rate-limits.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

async function challengesPage(w: BankingWeb, error?: PageError & { id: string }) {
  const { t, lang } = w;
  const open = await listChallenges(w.deps, w.customerId);
  const past = await listPastChallenges(w.deps, w.customerId);
  const done = w.c.req.query('done');
  const flash = done === 'approved' ? t.challengeApproved : done === 'declined' ? t.challengeDeclined : null;
  return page(w, { title: t.challengesTitle, nav: 'challenges', status: error?.status }, (
    <section class="panel narrow">
      <h1>{t.challengesTitle}</h1>
      {flash ? <Notice kind="success">{flash}</Notice> : null}
      <ErrorNotice w={w} message={error && !open.some((c) => c.id === error.id) ? error.message : undefined} />
      {open.length === 0 ? <p class="empty">{t.challengesEmpty}</p> : (
        <ul class="challenges">
          {open.map((c) => {
            const amount = c.billingAmount !== null ? kd(c.billingAmount, lang) : `${c.amount}\u00a0${c.currency}`;
            return (
              <li class="panel challenge" id={`challenge-${c.id}`}>
                <p>{t.challengeText(named(c.merchantName, lang), amount)}</p>
                <p class="hint">{t.challengeExpires(formatDate(lang, c.expiresAt, true))}</p>
                <ErrorNotice w={w} fields={error?.id === c.id ? [{ id: `otp-${c.id}`, message: error.message }] : []} />
                <form method="post" action={`/approvals/${c.id}/approve`} class="stack">
                  <Csrf w={w} />
                  <OtpField w={w} id={`otp-${c.id}`} error={error?.id === c.id ? error.message : undefined} />
                  <button type="submit" class="button primary">{t.approve}</button>
                </form>
                <form method="post" action={`/approvals/${c.id}/decline`}>
                  <Csrf w={w} />
                  <button type="submit" class="button">{t.decline}</button>
                </form>
              </li>
            );
          })}
        </ul>
      )}
      {past.length ? (
        <>
          <h2>{t.challengesPast}</h2>
          <ul class="activities" id="past-challenges">
            {past.map((c) => (
              <li class="activity" data-outcome={c.outcome}>
                <div class="activity-main">
                  <span class="activity-merchant"><bdi>{c.merchantName}</bdi></span>
                  <span class="activity-amount">{c.billingAmount !== null ? <Kd fils={c.billingAmount} lang={lang} /> : <bdi>{`${c.amount} ${c.currency}`}</bdi>}</span>
                </div>
                <div class="activity-sub">
                  <span>{c.outcome === 'expired' ? t.challengeExpired : t.challengeAnswered(t.challengeStatus[c.outcome])}</span>
                  <time datetime={c.at}>{formatDate(lang, c.at, true)}</time>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p><a href="/">{t.back}</a></p>
    </section>
  ));
}

export function registerChallengesPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/approvals', bankingPage(deps, (w) => challengesPage(w)));
  app.post('/approvals/:id/:answer{approve|decline}', bankingPage(deps, async (w) => {
    const id = w.c.req.param('id')!;
    const approve = w.c.req.param('answer') === 'approve';
    const result = await attempt(w, async () => {
      await limitSensitive(w, 'challenge');
      return approve
        ? approveChallenge(deps, w.customerId, id, (w.form.otp ?? '').trim() || undefined, cardholderActor(w.c))
        : declineChallenge(deps, w.customerId, id, cardholderActor(w.c));
    });
    if (!result.ok) return challengesPage(w, { ...result.error, id });
    return w.c.redirect(`/approvals?done=${result.value.transStatus === 'Y' ? 'approved' : 'declined'}`, 303);
  }));
}
