// The dashboard leads with what a customer asks first: how much can I spend, and is anything wrong.
// "Available to spend" large, the card's state in words, the quick actions (show number, freeze,
// pay), the last three purchases and declines, then the over-limit allowance; everything else is under
// "More". The figures refresh without a reload when an alert arrives on the event stream
// (app.js re-reads this page and swaps the [data-live-part] blocks; #live-summary announces it).
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../http/env.js';
import type { CardView } from '../../service/banking/card-view.js';
import { previousSignIn } from '../../service/banking/last-sign-in.js';
import { listCards } from '../../service/banking/list-cards.js';
import { listTransactions } from '../../service/banking/list-transactions.js';
import type { TransactionItem } from '../../domain/transactions.js';
import { ActivityRow } from '../activity.js';
import { AvailableBar, Csrf, formatDate, Kd, Notice } from '../components.js';
import { currentCard, flashMessage, statusLabel } from '../cards.js';
import { kd } from '../format.js';
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

export type CardState = 'ok' | 'over' | 'frozen' | 'stopped' | 'none-left';

export function cardState(card: CardView): CardState {
  if (card.status === 'frozen') return 'frozen';
  if (card.status !== 'active') return 'stopped';
  if (card.outstanding > card.limit) return 'over';
  return card.available === 0 ? 'none-left' : 'ok';
}

/** The state in words: "Over your limit by KD 5.000 — pay now", "Frozen — …". */
export function stateText(w: BankingWeb, card: CardView): string {
  const { t, lang } = w;
  switch (cardState(card)) {
    case 'frozen': return t.stateFrozen;
    case 'stopped': return `${statusLabel(t, card.status)} — ${t.stateStopped}`;
    case 'over': return t.stateOver(kd(card.outstanding - card.limit, lang));
    case 'none-left': return t.stateNoneLeft;
    default: return t.stateOk;
  }
}

function FreezeSwitch({ w, card }: { w: BankingWeb; card: CardView }) {
  const frozen = card.status === 'frozen';
  // One press, no confirmation page: freezing is always safe and undone the same way.
  return (
    <form method="post" action={`/cards/${card.id}/${frozen ? 'unfreeze' : 'freeze'}`} class="inline">
      <Csrf w={w} />
      <button type="submit" class="switch" role="switch" aria-checked={frozen ? 'true' : 'false'} id="freeze-switch">
        <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
        <span>{w.t.freezeSwitch}</span>
      </button>
    </form>
  );
}

function Hero({ w, card }: { w: BankingWeb; card: CardView }) {
  const { t, lang } = w;
  const state = cardState(card);
  const usable = card.status === 'active' || card.status === 'frozen';
  return (
    <section class={`panel hero hero-${state}`} aria-labelledby="available-label" id="hero" data-live-part
      data-announce={t.liveUpdated(kd(card.available, lang))}>
      <p id="available-label" class="hero-label">{t.availableNow}</p>
      <p class="hero-figure"><Kd id="available" fils={card.available} lang={lang} /></p>
      <p class="hero-of">
        <span>{t.limit}: <Kd id="limit" fils={card.limit} lang={lang} /></span>
        <span> · {t.outstanding}: <Kd id="outstanding" fils={card.outstanding} lang={lang} /></span>
      </p>
      <p id="card-state" class={`state state-${state}`} data-state={state}>{stateText(w, card)}</p>
      <AvailableBar w={w} available={card.available} limit={card.limit} />
      {usable ? (
        <div class="quick" role="group" aria-label={t.quickActions}>
          <a class="button" href={`/cards/${card.id}/reveal`}>{t.quickReveal}</a>
          <FreezeSwitch w={w} card={card} />
          <a class={state === 'over' || state === 'none-left' ? 'button primary' : 'button'} href="/pay">{t.quickPay}</a>
        </div>
      ) : null}
    </section>
  );
}

function OverLimitAllowance({ w, card }: { w: BankingWeb; card: CardView }) {
  const { t, lang } = w;
  const text = card.overLimit.used
    ? t.overLimitStateUsed(card.overLimit.usedAt ? formatDate(lang, card.overLimit.usedAt) : '—')
    : card.overLimit.enabled ? t.overLimitStateUnused(kd(card.overLimit.margin, lang)) : t.overLimitStateOff;
  const state = card.overLimit.used ? 'used' : card.overLimit.enabled ? 'unused' : 'off';
  return (
    <section class="panel" aria-labelledby="exceed-title" id="exceed" data-live-part>
      <h2 id="exceed-title">{t.overLimitTitle}</h2>
      <p id="exceed-state" data-state={state} class={`exceed exceed-${state}`}>{text}</p>
    </section>
  );
}

function Latest({ w, card, items }: { w: BankingWeb; card: CardView; items: TransactionItem[] }) {
  const { t } = w;
  return (
    <section class="panel" aria-labelledby="latest-title" id="latest" data-live-part>
      <h2 id="latest-title">{t.latestActivity}</h2>
      {items.length === 0 ? <p class="empty">{t.latestEmpty}</p> : (
        <ul class="activities">{items.map((item) => <ActivityRow w={w} item={item} card={card} />)}</ul>
      )}
      <p><a href={`/transactions?card=${card.id}`}>{t.allTransactions}</a></p>
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

function More({ w, card }: { w: BankingWeb; card: CardView }) {
  const { t } = w;
  const destructive = (href: string) => /\/(report|replace|cancel)$/.test(href);
  return (
    <details class="panel more" id="more">
      <summary><h2 id="actions-title">{t.more}</h2></summary>
      <div class="more-body">
        <CardFace w={w} card={card} />
        <ul class="actions">
          {cardActions(w, card).filter(([href]) => !/\/(reveal|freeze|unfreeze)$/.test(href)).map(([href, label]) => (
            <li><a href={href} class={destructive(href) ? 'danger-link' : undefined}>{label}</a></li>
          ))}
          <li><a href={`/statements?card=${card.id}`}>{t.statementsTitle}</a></li>
        </ul>
      </div>
    </details>
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

async function latestPurchases(w: BankingWeb, card: CardView): Promise<TransactionItem[]> {
  const { data } = await listTransactions(w.deps, w.customerId, card.id, { limit: 12 });
  return data.filter((item) => item.type === 'authorization').slice(0, 3);
}

export function registerDashboardPage(app: Hono<AppEnv>, deps: AppDeps) {
  app.get('/', bankingPage(deps, async (w) => {
    const { t, lang } = w;
    const card = currentCard(await listCards(deps, w.customerId));
    const flash = flashMessage(w, w.c.req.query('done'), card);
    const notifications = await recentNotifications(w, 5);
    const latest = card ? await latestPurchases(w, card) : [];
    const before = await previousSignIn(deps, w.customerId, w.sessionId);
    return page(w, { title: t.dashboardTitle, nav: 'dashboard' }, (
      <>
        <div class="greeting">
          <h1>{t.hello(w.profile.name)}</h1>
          <p class="hint" id="last-sign-in">{before ? t.lastSignIn(formatDate(lang, before.at, true)) : t.firstSignIn}</p>
        </div>
        {flash ? <Notice kind="success">{flash}</Notice> : null}
        {!w.profile.totpEnrolled ? (
          <Notice kind="info">{t.enrolNeeded} <a href="/enrol">{t.enrolCta}</a></Notice>
        ) : null}
        {card ? (
          <div class="dashboard">
            <Hero w={w} card={card} />
            <Latest w={w} card={card} items={latest} />
            <OverLimitAllowance w={w} card={card} />
            <section class="panel" aria-labelledby="alerts-title">
              <h2 id="alerts-title">{t.recentNotifications}</h2>
              <NotificationList w={w} items={notifications} card={card} />
              <p><a href="/notifications">{t.navNotifications}</a></p>
            </section>
            <Channels w={w} />
            <More w={w} card={card} />
            <p class="lost-line" id="lost-line">{t.lostPhone('')}<a href={`tel:${deps.config.supportPhone.replace(/[^+0-9]/g, '')}`} dir="ltr"><bdi>{deps.config.supportPhone}</bdi></a></p>
          </div>
        ) : <NoCard w={w} />}
        <div id="live-summary" class="visually-hidden" role="status" aria-live="polite"></div>
      </>
    ));
  }));
}
