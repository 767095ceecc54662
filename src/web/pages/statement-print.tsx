// The printable statement (SPEC §5): a small server-rendered page over the same service as the
// JSON API, for the banking session cookie (or a bearer token). The web pages link to it.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { formatKd, type Language } from '../../domain/money.js';
import { MONTH_PATTERN } from '../../domain/statement.js';
import { getCard } from '../../service/banking/list-cards.js';
import { getStatement, type Statement } from '../../service/banking/statement.js';
import { ServiceError } from '../../service/errors.js';
import type { AppDeps, AppEnv } from '../../http/env.js';
import { bankingSession } from '../../http/middleware/banking-session.js';
import { dictionary } from '../i18n/index.js';
import { ASSET_VERSION } from '../layout.js';
import { loginWithNext } from '../next-path.js';

const TEXT: Record<Language, Record<string, string>> = {
  en: { title: 'Card statement', month: 'Month', opening: 'Opening balance', closing: 'Closing balance', date: 'Date',
    description: 'Description', amount: 'Amount (KD)', none: 'No posted movements this month.', print: 'Print', all: 'All statements',
    note: 'Positive amounts add to what you owe; negative amounts (refunds, payments) reduce it. Times are Kuwait time.' },
  ar: { title: 'كشف حساب البطاقة', month: 'الشهر', opening: 'الرصيد الافتتاحي', closing: 'الرصيد الختامي', date: 'التاريخ',
    description: 'الوصف', amount: 'المبلغ (د.ك)', none: 'لا توجد حركات مرحّلة هذا الشهر.', print: 'طباعة', all: 'كل الكشوف',
    note: 'المبالغ الموجبة تزيد ما عليك، والسالبة (الاستردادات والدفعات) تنقصه. الأوقات بتوقيت الكويت.' },
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
table{width:100%;border-collapse:collapse}th,td{padding:.4rem;border-bottom:1px solid #ddd;text-align:start}
td.amount,th.amount{text-align:end;font-variant-numeric:tabular-nums}td.amount,td.date{white-space:nowrap}.totals{margin:1rem 0}
.brand{display:flex;justify-content:space-between;align-items:flex-end;gap:1rem;border-bottom:4px solid #0b4f8a;padding-bottom:.6rem;margin-bottom:1rem}
.brand-bank{font-weight:800;font-size:1.3rem;color:#0b4f8a}.brand-app{color:#333}.brand-card{white-space:nowrap}
@media print{button,a{display:none}body{margin:0}.brand{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

const kd = (fils: number) => formatKd(fils, 'en').replace('KD ', '');

function StatementPage({ s, bank, app, last4 }: { s: Statement; bank: string; app: string; last4: string }) {
  const t = TEXT[s.language];
  return (
    <html lang={s.language} dir={s.language === 'ar' ? 'rtl' : 'ltr'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${t.title} ${s.month}`}</title>
        <style>{STYLE}</style>
        {/* The print button's click handler: the CSP allows no inline script. */}
        <script src={`/assets/app.js?v=${ASSET_VERSION}`} defer></script>
      </head>
      <body>
        {/* Branded like the bank's other papers: its name in the customer's language, on every printed page's top. */}
        <header class="brand">
          <div><div class="brand-bank">{bank}</div><div class="brand-app">{app}</div></div>
          <div class="brand-card" dir="ltr">•••• {last4}</div>
        </header>
        <h1>{t.title}</h1>
        {/* Dates, the month and signed amounts stay left-to-right inside Arabic text. */}
        <p>{t.month}: <strong><bdi dir="ltr">{s.month}</bdi></strong></p>
        <p class="totals">{t.opening}: <strong data-testid="opening"><bdi dir="ltr">{kd(s.openingBalance)}</bdi></strong></p>
        {s.lines.length === 0 ? <p>{t.none}</p> : (
          <table>
            <thead><tr><th>{t.date}</th><th>{t.description}</th><th class="amount">{t.amount}</th></tr></thead>
            <tbody>
              {s.lines.map((l) => (
                <tr><td class="date"><bdi dir="ltr">{l.date}</bdi></td><td>{l.description}</td><td class="amount"><bdi dir="ltr">{kd(l.amount)}</bdi></td></tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="totals">{t.closing}: <strong data-testid="closing"><bdi dir="ltr">{kd(s.closingBalance)}</bdi></strong></p>
        <p><small>{t.note}</small></p>
        <p><button type="button" data-print>{t.print}</button> <a href={`/statements?card=${encodeURIComponent(s.cardId)}`}>{t.all}</a></p>
      </body>
    </html>
  );
}

export function registerStatementPage(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const session = bankingSession(deps);
  app.use('/statements/*', async (c, next) => {
    try {
      await session(c, next);
    } catch (error) {
      // A visitor without a session is sent to sign in, as on every other page.
      if (error instanceof ServiceError && error.status === 401) return c.redirect(loginWithNext(c.req.path, error.code === 'session_expired' ? { expired: '1' } : {}), 302);
      throw error;
    }
  });
  app.get('/statements/:cardId/:month', async (c) => {
    const month = c.req.param('month');
    if (!MONTH_PATTERN.test(month)) throw new ServiceError('not_found', 'No such statement.');
    const statement = await getStatement(deps, c.get('customerId'), c.req.param('cardId'), month);
    c.header('Cache-Control', 'no-store');
    const lang = statement.language;
    const card = await getCard(deps, c.get('customerId'), c.req.param('cardId'));
    return c.html(<StatementPage s={statement} bank={deps.config.bankNames[lang]} app={dictionary(lang).appName} last4={card.last4} />);
  });
}
