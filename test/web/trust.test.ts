// Online banking a customer trusts at a glance, in a real browser (Debian's Chromium), in both
// languages and at both widths (1280 and 375 px): the dashboard's figure changes live after a
// signed network authorization, declines say why with their numbers, the pay page, Arabic-Indic
// digits, errors and the idle warning, trust cues, the phone layout, and axe-core on every page.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { Harness } from '../support/harness.js';
import { seriousViolations, serveHarness, signInThroughPages } from '../support/harness-browser.js';
import { clear, recordFor } from '../support/money.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 760 };
const AR_DIGITS = (code: string) => code.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

describe.skipIf(!chromiumAvailable())('trust at a glance, in a browser', () => {
  let h: Harness;
  let site: Awaited<ReturnType<typeof serveHarness>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let holder: Awaited<ReturnType<Harness['cardholder']>>;
  const who = () => ({ username: holder.customer.username, password: holder.customer.password, totpSecret: holder.totpSecret });

  beforeAll(async () => {
    h = await Harness.create({ env: { BANK_NAME_EN: 'Gulf Trust Bank', BANK_NAME_AR: 'بنك الخليج الموثوق', SESSION_IDLE_TIMEOUT_MS: '300000' } });
    site = await serveHarness(h);
    holder = await h.cardholder(100_000);
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
    await page.setViewportSize(DESKTOP);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await h?.close();
  });

  it('leads with available to spend, and the figure changes without a reload after a purchase, announced politely', async () => {
    await signInThroughPages(page, site.url, h, who());
    expect(await text(page, '#available')).toBe('KD 100.000');
    expect(await page.locator('#available').evaluate((el) => el.textContent)).toContain('\u00a0'); // KD and amount never part
    expect(await text(page, '#card-state')).toBe('Ready for online purchases');
    expect(await page.locator('.brand-bank').textContent()).toBe('Gulf Trust Bank');
    expect(await page.locator('#live-summary').getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('.quick a, .quick button').allTextContents()).toEqual(expect.arrayContaining(['Show number', 'Pay']));
    expect(await page.locator('#freeze-switch').getAttribute('aria-checked')).toBe('false');
    expect(await page.locator('#more').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator('#more a', { hasText: 'Cancel card' }).count()).toBe(1);
    expect(await text(page, '#last-sign-in')).toMatch(/^Last sign-in: /); // the API session of h.cardholder() came first
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 1; });
    await expect.poll(() => page.evaluate(() => document.readyState)).toBe('complete');
    await page.waitForTimeout(300); // the event stream is connected

    const sent = await h.authorize(holder, { amount: 12_500, merchantName: 'Gulf Books Online' });
    expect(sent.body.approved).toBe(true);
    await expect.poll(() => text(page, '#available'), { timeout: 10_000 }).toBe('KD 87.500');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // no reload
    expect(await text(page, '#live-summary')).toBe('Updated: KD 87.500 available to spend.');
    expect(await page.locator('#latest .activity').first().textContent()).toContain('Gulf Books Online');
  });

  it('explains declines with their numbers: the customer\'s own apart from security blocks', async () => {
    const over = await h.authorize(holder, { amount: 150_000, merchantName: 'Big TV Store' });
    expect(over.body.reason).toBe('over_limit');
    const atm = await h.authorize(holder, { merchantName: 'Corner ATM', processingCode: '010000', mcc: '6011', terminalType: 'atm', posEntryMode: '051' });
    expect(atm.body.reason).toBe('channel_atm_or_cash');
    await page.goto(`${site.url}/`);
    const own = page.locator('#latest .decline-own');
    expect((await own.textContent())!.replace(/\s+/g, ' ')).toContain('KD 150.000 is more than your KD 87.500 available — pay or raise your limit.');
    expect(await own.locator('a', { hasText: 'Pay' }).count()).toBe(1);
    const security = page.locator('#latest .decline-security');
    expect(await security.textContent()).toContain('Blocked for your safety');
    expect(await security.textContent()).toContain('at an ATM');
    expect(await security.locator('a.danger', { hasText: 'Freeze card' }).count()).toBe(1);
    const [ownBg, securityBg] = [await own.evaluate((el) => getComputedStyle(el).backgroundColor), await security.evaluate((el) => getComputedStyle(el).backgroundColor)];
    expect(ownBg).not.toBe(securityBg);
    // The alert carries its actions too.
    const alert = page.locator('.notification.alert').first();
    expect(await alert.locator('a', { hasText: 'This was me' }).count()).toBe(1);
    await alert.locator('a', { hasText: 'This was me' }).click();
    expect(await text(page, '.notice-success')).toBe('Thank you. Nothing more to do.');

    await page.goto(`${site.url}/transactions`);
    expect(await text(page, '.day-heading')).toBe('Today');
    expect(await page.locator('.activity.decline').count()).toBe(2);
    expect(await text(page, '.decline-own')).toContain('KD 150.000');

    await page.goto(`${site.url}/?lang=ar`);
    const arOwn = (await page.locator('#latest .decline-own').textContent())!;
    expect(arOwn).toContain('\u2068150.000\u00a0د.ك\u2069'); // isolated, unbroken
    expect(arOwn).toContain('ادفع أو ارفع حدك');
    await page.goto(`${site.url}/?lang=en`);
  });

  it('pays: payable now apart from pending with the reason, one-tap amounts, the account as the customer knows it', async () => {
    const auths = await h.deps.handle.db.selectFrom('authorizations').selectAll().where('approved', '=', 1).execute();
    await clear(h, auths.map((a) => recordFor({ acquirerId: a.acquirer_id, rrn: a.rrn, amount: Number(a.amount), currency: a.currency, processingCode: a.processing_code, mcc: a.mcc, merchantName: a.merchant_name }, a.auth_code!)));
    expect((await h.authorize(holder, { amount: 5_000 })).body.approved).toBe(true);
    await page.goto(`${site.url}/pay`);
    expect(await text(page, '#payable')).toBe('KD 12.500');
    expect(await text(page, '#pending')).toBe('KD 5.000');
    expect(await text(page, '#pending-why')).toContain('You can pay them once they are posted');
    const option = await text(page, '#from option');
    expect(option).toMatch(/^Current account KW•• •••• •••• \d{4} — balance KD 1,000\.000$/);
    expect(option).not.toContain(holder.customer.currentAccountId);
    expect(await text(page, '#pay-all')).toBe('All posted: KD 12.500');
    await page.locator('#amount').fill('abc');
    await page.locator('main form button.primary').click();
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    expect(await page.locator('[data-error-summary] a[href="#amount"]').count()).toBe(1);
    expect(await text(page, '#amount-error')).toContain('for example 12.500');
    await page.locator('#amount').fill('٢٫٥'); // Arabic-Indic digits and the Arabic decimal mark
    await page.locator('main form button.primary').click();
    expect(await text(page, '.notice-success')).toBe('Paid KD 2.500. Thank you.');
    await page.locator('#pay-all').click();
    expect(await text(page, '.notice-success')).toBe('Paid KD 10.000. Thank you.');
  });

  it('in Arabic on a phone: bottom tab bar, a code typed in Arabic-Indic digits, the number on one line', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${site.url}/?lang=ar`);
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('.brand-bank').textContent()).toBe('بنك الخليج الموثوق');
    const nav = await page.locator('nav.nav').boundingBox();
    expect(nav!.y + nav!.height).toBeGreaterThan(PHONE.height - 2); // at the bottom of the screen
    expect(await page.locator('nav.nav a:visible').count()).toBe(5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    await page.goto(`${site.url}/cards/${holder.card.id}/reveal`);
    expect(await page.locator('[data-never-ask]').textContent()).toContain('البنك لا يطلب رموزك أبداً');
    await page.locator('#otp').fill('000000');
    await page.locator('main form button[type=submit]').click();
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    expect(await text(page, '[data-error-summary]')).toContain('تبقّت 4 محاولات');
    await page.locator('#otp').pressSequentially(AR_DIGITS(await h.otp(holder.totpSecret)));
    await page.locator('main form button[type=submit]').click();
    const pan = page.locator('#reveal-pan');
    expect(await pan.getAttribute('data-pan')).toBe(holder.pan);
    const box = await pan.evaluate((el) => ({ lines: el.getClientRects().length, fits: el.scrollWidth <= el.clientWidth + 1 }));
    expect(box.lines).toBe(1);
    expect(await page.locator('[data-copy]:visible').count()).toBe(3);
  });

  it('unknown pages get an HTML 404 in the customer\'s language', async () => {
    const res = await page.goto(`${site.url}/no-such-page`);
    expect(res!.status()).toBe(404);
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');
    expect(await text(page, 'h1')).toBe('الصفحة غير موجودة');
    expect((await h.request('GET', '/no-such-page')).body.code).toBe('not_found'); // API clients keep JSON
    await page.setViewportSize(DESKTOP);
    await page.goto(`${site.url}/?lang=en`);
  });

  it('warns two minutes before the idle sign-out, and after signing in again returns to the page', async () => {
    const idle = await context.newPage();
    await idle.clock.install();
    await idle.goto(`${site.url}/transactions`);
    expect(await idle.locator('#idle-warning').isHidden()).toBe(true);
    await idle.clock.runFor(181_000);
    expect(await idle.locator('#idle-warning').isVisible()).toBe(true);
    expect(await text(idle, '#idle-text')).toBe('For your safety you will be signed out in 2 minutes.');
    const [stay] = await Promise.all([idle.waitForResponse((r) => r.url().endsWith('/session/stay')), idle.locator('#idle-stay').click()]);
    expect(stay.status()).toBe(204);
    expect(await idle.locator('#idle-warning').isHidden()).toBe(true);
    await idle.close();

    h.clock.advance(301_000); // the server's idle expiry follows SESSION_IDLE_TIMEOUT_MS
    await page.goto(`${site.url}/statements`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/statements');
    expect(await text(page, '.notice-info')).toContain('signed out after a while');
    await signInThroughPages(page, site.url, h, who(), { path: '/login?next=%2Fstatements' });
    expect(new URL(page.url()).pathname).toBe('/statements');
  });

  it('passes axe-core (no serious or critical violations) on every page, in English at 1280 px and Arabic at 375 px', async () => {
    const paths = ['/', '/transactions', '/pay', `/cards/${holder.card.id}/reveal`, `/cards/${holder.card.id}/limit`,
      `/cards/${holder.card.id}/freeze`, `/cards/${holder.card.id}/report`, `/cards/${holder.card.id}/cancel`, '/approvals',
      '/notifications', '/statements', '/no-such-page'];
    const found: string[] = [];
    for (const [lang, size] of [['en', DESKTOP], ['ar', PHONE]] as const) {
      await page.setViewportSize(size);
      for (const path of paths) {
        await page.goto(`${site.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        for (const v of await seriousViolations(page)) found.push(`${lang} ${path}: ${v}`);
      }
    }
    expect(found).toEqual([]);
  }, 120_000);
});
