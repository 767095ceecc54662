// The page frame: language and direction, skip link, header with navigation and language switch,
// and (for signed-in pages) the live alert region the client script fills from the event stream.
import type { Child } from 'hono/jsx';
import type { BankingWeb, Web } from './web-context.js';

export const ASSET_VERSION = '3';

export interface PageOptions {
  title: string;
  status?: number;
  /** Where the language switch points; defaults to this page. */
  langHref?: string;
  /** Which navigation entry is current. */
  nav?: NavKey;
  head?: Child;
}

export type NavKey = 'dashboard' | 'transactions' | 'notifications' | 'statements' | 'payments' | 'challenges' | 'shop' | 'terminals';

function switchHref(w: Web, override?: string): string {
  const other = w.t.otherLanguageCode;
  const url = new URL(w.c.req.url);
  const path = override ?? (w.c.req.method === 'GET' ? url.pathname + url.search : url.pathname);
  const target = new URL(path, url);
  target.searchParams.set('lang', other);
  return target.pathname + target.search;
}

const isBanking = (w: Web): w is BankingWeb => 'customerId' in w;

function SignOut({ w, cls }: { w: BankingWeb; cls: string }) {
  return (
    <form method="post" action="/logout" class={`inline ${cls}`}>
      <input type="hidden" name="_csrf" value={w.csrf} />
      <button type="submit" class="link-button">{w.t.navSignOut}</button>
    </form>
  );
}

/** At phone width the same list is a bottom tab bar of the five main places (app.css). */
function BankingNav({ w, active }: { w: BankingWeb; active?: NavKey }) {
  const { t } = w;
  const items: [NavKey, string, string, string][] = [
    ['dashboard', '/', t.navDashboard, '▣'],
    ['transactions', '/transactions', t.navTransactions, '≡'],
    ['payments', '/pay', t.navPayments, '↥'],
    ['challenges', '/approvals', t.navChallenges, '✓'],
    ['notifications', '/notifications', t.navNotifications, '◉'],
    ['statements', '/statements', t.navStatements, '▤'],
  ];
  return (
    <nav aria-label={t.mainNav} class="nav">
      <ul>
        {items.map(([key, href, label, icon]) => (
          <li class={key === 'statements' ? 'tab-extra' : undefined}>
            <a href={href} aria-current={key === active ? 'page' : undefined}><span class="tab-icon" aria-hidden="true">{icon}</span><span class="tab-label">{label}</span></a>
          </li>
        ))}
        <li class="tab-extra"><SignOut w={w} cls="" /></li>
      </ul>
    </nav>
  );
}

/** The warning two minutes before the idle sign-out (app.js shows it; "Stay" asks /session/stay). */
function IdleWarning({ w }: { w: BankingWeb }) {
  const { t } = w;
  const idleMs = w.deps.config.sessionIdleTimeoutMs;
  return (
    <div id="idle-warning" class="idle-warning" role="alertdialog" aria-modal="false" aria-labelledby="idle-title"
      aria-describedby="idle-text" hidden data-idle-ms={String(idleMs)} data-warn-ms={String(Math.min(120_000, idleMs / 2))}>
      <h2 id="idle-title">{t.idleWarningTitle}</h2>
      <p id="idle-text">{t.idleWarning(String(Math.round(Math.min(120_000, idleMs / 2) / 60_000)))}</p>
      <button type="button" id="idle-stay" class="button primary">{t.idleStay}</button>
    </div>
  );
}

function DemoNav({ w, active }: { w: Web; active?: NavKey }) {
  return (
    <nav aria-label={w.t.mainNav} class="nav">
      <ul>
        <li><a href="/demo/shop" aria-current={active === 'shop' ? 'page' : undefined}>{w.t.navShop}</a></li>
        <li><a href="/demo/terminals" aria-current={active === 'terminals' ? 'page' : undefined}>{w.t.navTerminals}</a></li>
        <li><a href="/">{w.t.navDashboard}</a></li>
      </ul>
    </nav>
  );
}

export function Layout({ w, o, children }: { w: Web; o: PageOptions; children?: Child }) {
  const { t, lang } = w;
  const demo = o.nav === 'shop' || o.nav === 'terminals';
  return (
    <html lang={lang} dir={lang === 'ar' ? 'rtl' : 'ltr'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${o.title} — ${t.appName}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={`/assets/app.css?v=${ASSET_VERSION}`} />
        <script src={`/assets/app.js?v=${ASSET_VERSION}`} defer></script>
        {o.head}
      </head>
      <body data-lang={lang}>
        <a class="skip" href="#main">{t.skipToContent}</a>
        <header class="top">
          <div class="top-inner">
            <a class="brand" href={demo ? '/demo/shop' : '/'}>
              <span class="brand-bank">{w.deps.config.bankNames[lang]}</span>
              <span class="brand-app">{t.appName}</span>
            </a>
            {isBanking(w) ? <SignOut w={w} cls="signout-top" /> : null}
            <a class="lang" href={switchHref(w, o.langHref)} hreflang={t.otherLanguageCode} lang={t.otherLanguageCode}
              aria-label={t.languageSwitchLabel}>{t.otherLanguage}</a>
          </div>
          {isBanking(w) ? <BankingNav w={w} active={o.nav} /> : demo ? <DemoNav w={w} active={o.nav} /> : null}
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        {isBanking(w) ? <IdleWarning w={w} /> : null}
        {isBanking(w) ? (
          <div id="live" class="live" role="status" aria-live="polite" data-stream={`/v1/banking/notifications/stream?lang=${lang}`}
            data-alert-label={t.alert}></div>
        ) : null}
      </body>
    </html>
  );
}

/** Renders a full page with its doctype. */
export async function page(w: Web, o: PageOptions, body: Child): Promise<Response> {
  const html = await (<Layout w={w} o={o}>{body}</Layout>).toString();
  return w.c.html(`<!DOCTYPE html>${html}`, (o.status ?? 200) as 200);
}
