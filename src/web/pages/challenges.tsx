// 3-D Secure challenges waiting for the cardholder: approve with a code, or decline. Each answer
// counts against the same rate-limit window as the API's (rate-limits.ts).
import type { Hono } from 'hono';
import { formatKd } from '../../domain/money.js';
import { cardholderActor } from '../../http/actors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { approveChallenge, declineChallenge, listChallenges } from '../../service/three-ds/challenges.js';
import { Csrf, ErrorNotice, formatDate, Notice, OtpField } from '../components.js';
import { attempt, type PageError } from '../errors.js';
import { page } from '../layout.js';
import { limitSensitive } from '../rate-limits.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

async function challengesPage(w: BankingWeb, error?: PageError & { id: string }) {
  const { t, lang } = w;
  const open = await listChallenges(w.deps, w.customerId);
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
            const amount = c.billingAmount !== null ? formatKd(c.billingAmount, lang) : `${c.amount} ${c.currency}`;
            return (
              <li class="panel challenge" id={`challenge-${c.id}`}>
                <p><bdi>{t.challengeText(c.merchantName, amount)}</bdi></p>
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
