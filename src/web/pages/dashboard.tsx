// The dashboard: the card (masked), limit, outstanding, available as a bar, the one-time exceed in
// words, where the card works, what can be done with it, and the latest alerts.
import type { Hono } from 'hono';
import { formatKd } from '../../domain/money.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import type { CardView } from '../../service/banking/card-view.js';
import { listCards } from '../../service/banking/list-cards.js';
import { AvailableBar, formatDate, Kd, Notice } from '../components.js';
import { currentCard, flashMessage, statusLabel } from '../cards.js';
import { page } from '../layout.js';
import { NotificationList, recentNotifications } from '../notification-list.js';
import { cardActions } from '../card-actions.js';
import { bankingPage, type BankingWeb } from '../web-context.js';

function CardFace({ w, card }: { w: BankingWeb; card: CardView }) {
  const groups = card.maskedPan.replace(/\*/g, '•').match(/.{1,4}/g)!.join(' ');
  return (
    <div class={`card-face status-${card.status}`}>
      <p class="card-face-name">{w.t.appName}</p>
      <p class="card-face-pan" dir="ltr" aria-label={`${w.t.cardNumber}: ${card.maskedPan.slice(0, 6)} … ${card.last4}`}>{groups}</p>
      <dl class="card-face-meta">
        <div><dt>{w.t.expires}</dt><dd dir="ltr">{card.expiry.slice(5)}/{card.expiry.slice(2, 4)}</dd></div>
        <div><dt>{w.t.status}</dt><dd><span class={`badge badge-${card.status}`}>{statusLabel(w.t, card.status)}</span></dd></div>
      </dl>
    </div>
  );
}

function Exceed({ w, card }: { w: BankingWeb; card: CardView }) {
  const { t, lang } = w;
  const text = card.overLimit.used
    ? t.exceedUsed(card.overLimit.usedAt ? formatDate(lang, card.overLimit.usedAt) : '—')
    : card.overLimit.enabled ? t.exceedUnused(formatKd(card.overLimit.margin, lang)) : t.exceedOff;
  const state = card.overLimit.used ? 'used' : card.overLimit.enabled ? 'unused' : 'off';
  return (
    <section class="panel" aria-labelledby="exceed-title">
      <h2 id="exceed-title">{t.exceedTitle}</h2>
      <p id="exceed-state" data-state={state} class={`exceed exceed-${state}`}>{text}</p>
    </section>
  );
}

function Balances({ w, card }: { w: BankingWeb; card: CardView }) {
  const { t, lang } = w;
  return (
    <section class="panel" aria-labelledby="balances-title">
      <h2 id="balances-title" class="visually-hidden">{t.available}</h2>
      <dl class="figures">
        <div><dt>{t.limit}</dt><dd id="limit"><Kd fils={card.limit} lang={lang} /></dd></div>
        <div><dt>{t.outstanding}</dt><dd id="outstanding"><Kd fils={card.outstanding} lang={lang} /></dd></div>
        <div><dt>{t.available}</dt><dd id="available"><Kd fils={card.available} lang={lang} /></dd></div>
      </dl>
      <AvailableBar w={w} available={card.available} limit={card.limit} />
    </section>
  );
}

function Channels({ w }: { w: BankingWeb }) {
  const { t } = w;
  return (
    <section class="panel" aria-labelledby="channels-title">
      <h2 id="channels-title">{t.channelsTitle}</h2>
      <ul class="channels">
        <li class="yes">{t.channelOnline}</li>
        <li class="no">{t.channelAtm}</li>
        <li class="no">{t.channelShop}</li>
      </ul>
    </section>
  );
}

function NoCard({ w }: { w: BankingWeb }) {
  return (
    <section class="panel">
      <h2>{w.t.noCardTitle}</h2>
      <p>{w.t.noCardIntro}</p>
      <p><a class="button primary" href="/cards/new">{w.t.requestCardCta}</a></p>
    </section>
  );
}

export function registerDashboardPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/', bankingPage(deps, async (w) => {
    const { t } = w;
    const card = currentCard(await listCards(deps, w.customerId));
    const flash = flashMessage(w, w.c.req.query('done'), card);
    const notifications = await recentNotifications(w, 5);
    return page(w, { title: t.dashboardTitle, nav: 'dashboard' }, (
      <>
        <h1>{t.hello(w.profile.name)}</h1>
        {flash ? <Notice kind="success">{flash}</Notice> : null}
        {!w.profile.totpEnrolled ? (
          <Notice kind="info">{t.enrolNeeded} <a href="/enrol">{t.enrolCta}</a></Notice>
        ) : null}
        {card ? (
          <div class="grid">
            <section class="panel" aria-label={t.cardLabel}>
              <CardFace w={w} card={card} />
            </section>
            <Balances w={w} card={card} />
            <Exceed w={w} card={card} />
            <Channels w={w} />
            <section class="panel" aria-labelledby="actions-title">
              <h2 id="actions-title">{t.actionsTitle}</h2>
              <ul class="actions">
                {cardActions(w, card).map(([href, label]) => <li><a href={href}>{label}</a></li>)}
                <li><a href={`/transactions?card=${card.id}`}>{t.navTransactions}</a></li>
                <li><a href={`/statements?card=${card.id}`}>{t.statementsTitle}</a></li>
              </ul>
            </section>
            <section class="panel" aria-labelledby="alerts-title">
              <h2 id="alerts-title">{t.recentNotifications}</h2>
              <NotificationList w={w} items={notifications} />
              <p><a href="/notifications">{t.navNotifications}</a></p>
            </section>
          </div>
        ) : <NoCard w={w} />}
      </>
    ));
  }));
}
