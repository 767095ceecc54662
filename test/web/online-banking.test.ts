// The web face in a real browser, as a cardholder uses it: one story in steps that build on each
// other (a banking tab and a shop/terminal tab in one browser profile). Each step saves a screenshot.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProduct } from '../../src/service/admin/products.js';
import { clearBatch } from '../../src/service/clearing/clear-batch.js';
import {
  chromiumAvailable, freshOtp, launchBrowser, screenshot, seedCustomer, startWebServer, type WebServer,
} from '../support/browser.js';

const USER = { username: 'layla', password: 'correct horse battery', name: 'Layla Al-Sabah' };

describe.skipIf(!chromiumAvailable())('online banking in a browser', () => {
  let server: WebServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let bank: Page;
  let shop: Page;
  let totpSecret = '';
  const card = { pan: '', expiry: '', cvv2: '' };

  beforeAll(async () => {
    server = await startWebServer();
    await seedCustomer(server, USER);
    browser = await launchBrowser();
    bank = await browser.context.newPage();
    shop = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  // Amounts keep KD and the figure together with a no-break space; compare them as plain text.
  const txt = async (l: ReturnType<Page['locator']>) => ((await l.textContent()) ?? '').replace(/\u00a0/g, ' ');
  const submit = (page: Page) => page.locator('main button[type=submit]').first().click();

  async function buy(item: string) {
    await shop.goto(`${server.url}/demo/shop/checkout?item=${item}`);
    await shop.getByLabel('Card number').fill(card.pan);
    await shop.getByLabel('Expiry (MM/YY)').fill(card.expiry);
    await shop.getByLabel('Security code (CVV2)').fill(card.cvv2);
    await submit(shop);
    // 3-D Secure on risk (SPEC §7): a shop the card does not know yet is challenged; the
    // cardholder approves in the banking tab, and the shop goes on.
    const result = shop.locator('#checkout-result');
    await Promise.race([result.waitFor(), shop.locator('#challenge-note').waitFor()]);
    if (await result.count()) return result;
    await bank.goto(`${server.url}/approvals`);
    const challenge = bank.locator('.challenge').first();
    await challenge.getByLabel('One-time code').fill(await freshOtp(server, totpSecret));
    await challenge.getByRole('button', { name: 'Approve' }).click();
    await bank.locator('.notice-success').waitFor();
    await submit(shop);
    return result;
  }

  it('sends a visitor to /login, sets up the authenticator, then signs in with password and code', async () => {
    await bank.goto(`${server.url}/`);
    expect(new URL(bank.url()).pathname).toBe('/login');
    await bank.getByLabel('Username').fill(USER.username);
    await bank.getByLabel('Password').fill(USER.password);
    await submit(bank);
    await bank.getByRole('link', { name: 'Set it up now' }).click();
    totpSecret = (await bank.locator('#totp-secret').getAttribute('data-secret'))!;
    expect(await bank.locator('.qr svg').count()).toBe(1);
    await bank.getByLabel('Confirm with the first code').fill(await freshOtp(server, totpSecret));
    await submit(bank);
    await expect.poll(() => bank.locator('.notice-success').textContent()).toContain('authenticator app is set up');

    await bank.getByRole('button', { name: 'Sign out' }).click();
    await bank.getByLabel('Username').fill(USER.username);
    await bank.getByLabel('Password').fill(USER.password);
    await submit(bank);
    expect(new URL(bank.url()).pathname).toBe('/login/code');
    await bank.getByLabel('One-time code').fill('000000');
    await submit(bank);
    expect(await bank.locator('.notice-error').textContent()).toContain('wrong');
    await bank.getByLabel('One-time code').fill(await freshOtp(server, totpSecret));
    await submit(bank);
    expect(await bank.locator('h1').textContent()).toBe(`Hello, ${USER.name}`);
    await screenshot(bank, '01-signed-in');
  });

  it('requests a card with a 100 KD limit', async () => {
    await bank.getByRole('link', { name: 'Request a card' }).click();
    expect(await bank.locator('.terms').textContent()).toContain('only for online purchases');
    await bank.getByLabel('KD 100.000').check();
    await submit(bank);
    expect(await txt(bank.locator('#limit'))).toBe('KD 100.000');
    expect(await txt(bank.locator('#available'))).toBe('KD 100.000');
    expect(await bank.locator('#exceed-state').getAttribute('data-state')).toBe('unused');
    await screenshot(bank, '02-card-requested');
  });

  it('reveals the number with a code, never cached, and hides it again after 60 seconds', async () => {
    await bank.clock.install();
    await bank.getByRole('link', { name: 'Show number', exact: true }).click(); // a quick action
    await bank.getByLabel('One-time code').fill(await freshOtp(server, totpSecret));
    const [response] = await Promise.all([bank.waitForNavigation(), submit(bank)]);
    expect(response!.headers()['cache-control']).toContain('no-store');
    card.pan = (await bank.locator('#reveal-pan').getAttribute('data-pan'))!;
    card.expiry = (await bank.locator('#reveal-expiry').textContent())!;
    card.cvv2 = (await bank.locator('#reveal-cvv2').textContent())!;
    expect(card.pan).toMatch(/^\d{16}$/);
    expect(card.expiry).toMatch(/^\d{2}\/\d{2}$/);
    await screenshot(bank, '03-revealed');
    await bank.clock.runFor(61_000);
    await bank.locator('#reveal-hidden').waitFor();
    expect(await bank.locator('#reveal-pan').count()).toBe(0);
  });

  it('buys at the demo shop with the card: approved', async () => {
    const result = await buy('book');
    expect(await result.getAttribute('data-approved')).toBe('true');
    expect(await result.textContent()).toContain('Payment approved');
    await screenshot(shop, '04-shop-approved');
    await bank.goto(`${server.url}/`);
    expect(await txt(bank.locator('#outstanding'))).toBe('KD 12.500');
  });

  it('is refused at the demo ATM, and the alert appears live in the banking tab', async () => {
    await bank.goto(`${server.url}/`);
    await shop.goto(`${server.url}/demo/terminals`);
    const atm = shop.locator('#terminal-atm');
    await atm.getByLabel('Card number').fill(card.pan);
    await atm.getByLabel('Expiry (MM/YY)').fill(card.expiry);
    await atm.getByRole('button', { name: 'Withdraw cash' }).click();
    const screen = shop.locator('#atm-screen');
    expect(await screen.getAttribute('data-reason')).toBe('channel_atm_or_cash');
    expect(await screen.textContent()).toContain('Refused');
    await screenshot(shop, '05-atm-refused');
    // No reload: the banking tab hears it on the notification stream.
    await bank.locator('.notification.alert').first().waitFor();
    expect(await bank.locator('.toast.alert').count()).toBeGreaterThan(0);
    expect(await bank.locator('.notification.alert').first().textContent()).toContain('ATM');
    await screenshot(bank, '05-alert-in-bank');
  });

  it('raises the limit with a code, exceeds it once, and is refused the second time', async () => {
    await bank.goto(`${server.url}/`);
    await bank.locator('#more summary').click(); // the limit lives under "More"
    await bank.getByRole('link', { name: 'Change limit' }).click();
    await bank.getByLabel('KD 200.000').check();
    await bank.getByLabel('One-time code (needed to raise the limit)').fill(await freshOtp(server, totpSecret));
    await submit(bank);
    expect(await txt(bank.locator('#limit'))).toBe('KD 200.000');

    const over = await buy('laptop'); // 12.500 + 199.000 > 200.000, within the 20 % margin
    expect(await over.getAttribute('data-approved')).toBe('true');
    expect(await over.textContent()).toContain('over-limit allowance');

    const refused = await buy('book');
    expect(await refused.getAttribute('data-approved')).toBe('false');
    expect(await refused.getAttribute('data-reason')).toBe('over_limit');
    await screenshot(shop, '06-refused-over-limit');

    await bank.goto(`${server.url}/`);
    expect(await bank.locator('#exceed-state').getAttribute('data-state')).toBe('used');
    expect(await txt(bank.locator('#outstanding'))).toBe('KD 211.500');
    await screenshot(bank, '06-exceed-used');
  });

  const nav = (name: string) => bank.locator('nav').getByRole('link', { name, exact: true });
  const system = { type: 'system' as const, id: 'web-test' };

  /**
   * The network's clearing file for every approved purchase so far (what makes them owed), sent by
   * the client that authorized them (the demo pages' own): a client clears only its own business.
   */
  async function clearPurchases() {
    const auths = await server.deps.handle.db.selectFrom('authorizations').selectAll().where('approved', '=', 1).execute();
    const records = auths.map((a) => ({
      rrn: a.rrn, authCode: a.auth_code!, acquirerId: a.acquirer_id, amount: Number(a.amount), currency: a.currency,
      processingCode: a.processing_code, mcc: a.mcc, merchantName: a.merchant_name,
    }));
    expect(new Set(auths.map((a) => a.network_client))).toEqual(new Set([server.deps.demoNetwork!.keyId]));
    const results = await clearBatch(server.deps, records, server.deps.demoNetwork!.keyId);
    expect(results.every((r) => r.status === 'posted')).toBe(true);
  }

  it('lists transactions with the refused attempts highlighted and their reasons', async () => {
    await bank.goto(`${server.url}/`);
    await nav('Transactions').click();
    const blocked = bank.locator('.activity.decline');
    expect(await blocked.count()).toBe(2); // the ATM, and the purchase over the limit
    const atm = bank.locator('.decline-security');
    expect(await atm.filter({ hasText: 'Someone tried your card at an ATM' }).count()).toBe(1);
    expect(await atm.first().evaluate((row) => getComputedStyle(row).backgroundColor)).toBe('rgb(253, 236, 234)');
    expect(await bank.locator('.decline-own').filter({ hasText: 'pay or raise your limit' }).count()).toBe(1);
    await screenshot(bank, '08-transactions');
  });

  it('pays part of what is owed from the current account', async () => {
    await clearPurchases();
    await nav('Pay').click();
    expect(await txt(bank.locator('#payable'))).toContain('KD 211.500');
    await bank.getByLabel('Amount (KD)').fill('61.5');
    await bank.locator('main form button.primary').click(); // the first buttons are the one-tap amounts
    expect(await txt(bank.locator('.notice-success'))).toContain('Paid KD 61.500');
    expect(await txt(bank.locator('#payable'))).toContain('KD 150.000');
    await screenshot(bank, '09-payment');
  });

  it('approves a 3-D Secure challenge in online banking; the shop then completes the purchase', async () => {
    // The shop is known by now: only an amount at or above the frictionless ceiling is challenged.
    await updateProduct(server.deps, 'internet-shopping', { frictionlessCeiling: 10_000 }, system);
    try {
      await bank.goto(`${server.url}/`);
      await shop.goto(`${server.url}/demo/shop/checkout?item=book`);
      await shop.getByLabel('Card number').fill(card.pan);
      await shop.getByLabel('Expiry (MM/YY)').fill(card.expiry);
      await shop.getByLabel('Security code (CVV2)').fill(card.cvv2);
      await submit(shop);
      await shop.locator('#challenge-note').waitFor();
      await screenshot(shop, '10-shop-asks-the-bank');
      // The request reaches the banking tab live, then waits on the approvals page.
      await bank.locator('.toast.alert', { hasText: 'Approve a purchase of KD 12.500' }).waitFor();
      await nav('Approvals').click();
      const challenge = bank.locator('.challenge').first();
      expect(await txt(challenge)).toContain('asks to charge KD 12.500');
      await screenshot(bank, '10-approval');
      await challenge.getByLabel('One-time code').fill(await freshOtp(server, totpSecret));
      await challenge.getByRole('button', { name: 'Approve' }).click();
      expect(await bank.locator('.notice-success').textContent()).toContain('Approved');
      await submit(shop);
      const result = shop.locator('#checkout-result');
      expect(await result.getAttribute('data-approved')).toBe('true');
      await screenshot(shop, '10-shop-approved-after-3ds');
    } finally {
      await updateProduct(server.deps, 'internet-shopping', { frictionlessCeiling: 20_000 }, system);
    }
  });

  it('freezes the card after a confirmation, is declined while frozen, and unfreezes it', async () => {
    await bank.goto(`${server.url}/`);
    await bank.locator('a[href$="/freeze"]').first().click(); // from the ATM attempt's "Freeze card"
    expect(await bank.locator('h1').textContent()).toBe('Freeze your card?');
    await screenshot(bank, '11-freeze-confirm');
    await bank.getByRole('button', { name: 'Yes, freeze it' }).click();
    expect(await bank.locator('.notice-success').textContent()).toContain('Your card is frozen.');
    expect(await bank.locator('.card-face .badge').textContent()).toBe('Frozen');
    await screenshot(bank, '11-frozen');
    // The issuer already answers the shop's 3-D Secure check with "N" for a frozen card (SPEC §7).
    const refused = await buy('book');
    expect(await refused.getAttribute('data-approved')).toBe('false');
    expect(await refused.getAttribute('data-reason')).toBe('authentication_failed');
    expect(await bank.locator('#freeze-switch').getAttribute('aria-checked')).toBe('true');
    await bank.locator('#freeze-switch').click(); // the switch unfreezes in one press
    expect(await bank.locator('.card-face .badge').textContent()).toBe('Active');
  });

  it('lists the statements and opens this month\'s', async () => {
    await nav('Statements').click();
    const months = bank.locator('.months a');
    expect(await months.count()).toBeGreaterThanOrEqual(1);
    await screenshot(bank, '12-statements');
    await months.first().click();
    expect(await bank.locator('h1').textContent()).toBe('Card statement');
    // The two cleared purchases and the payment.
    expect(await bank.locator('tbody tr').count()).toBe(3);
    await screenshot(bank, '12-statement-month');
  });

  it('switches to Arabic, right to left, and remembers it', async () => {
    await bank.goto(`${server.url}/?lang=ar`);
    expect(await bank.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await bank.locator('html').getAttribute('lang')).toBe('ar');
    expect(await txt(bank.locator('#limit'))).toBe('200.000 د.ك');
    await bank.goto(`${server.url}/notifications`);
    expect(await bank.locator('html').getAttribute('dir')).toBe('rtl');
    await bank.goto(`${server.url}/`);
    await screenshot(bank, '07-arabic');
    await bank.setViewportSize({ width: 375, height: 812 });
    const overflow = await bank.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(bank, '07-arabic-375px', false);
  });

  it('shows the newer pages and the notifications in Arabic, without overflow at 375 px', async () => {
    const cardId = (await bank.locator('a[href$="/freeze"]').first().getAttribute('href'))!.split('/')[2];
    for (const [path, name] of [['/transactions', 'transactions'], ['/statements', 'statements'], ['/pay', 'payment'],
      ['/approvals', 'approvals'], [`/cards/${cardId}/freeze`, 'freeze-confirm'], ['/notifications', 'notifications']]) {
      await bank.goto(`${server.url}${path}`);
      expect(await bank.locator('html').getAttribute('dir'), path).toBe('rtl');
      const overflow = await bank.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await screenshot(bank, `13-arabic-375px-${name}`);
    }
    // A form whose token went stale (here: altered) is refused with a page, not JSON; nothing changes.
    await bank.goto(`${server.url}/cards/${cardId}/freeze`);
    await bank.locator('main input[name="_csrf"]').evaluate((input) => { (input as HTMLInputElement).value = 'stale'; });
    await bank.locator('main button[type=submit]').click();
    expect(await bank.locator('h1').textContent()).toBe('انتهت صلاحية هذا النموذج');
    await screenshot(bank, '13-arabic-375px-form-expired');
    await bank.locator('#csrf-back').click();
    expect(new URL(bank.url()).pathname).toBe(`/cards/${cardId}/freeze`);
    await bank.goto(`${server.url}/`);
    expect(await bank.locator('.card-face .badge').textContent()).toBe('فعّالة');

    // The printable statement follows the language stored on the customer by the switch.
    await bank.goto(`${server.url}/statements`);
    await bank.locator('.months a').first().click();
    expect(await bank.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await bank.locator('h1').textContent()).toBe('كشف حساب البطاقة');
    expect(await bank.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(bank, '13-arabic-375px-statement-month');
    await bank.goto(`${server.url}/notifications`);
    // Notification texts are rendered in the page language, the live ones too.
    expect(await bank.locator('.notification.alert', { hasText: 'تنبيه أمني: حاول أحدهم استخدام بطاقتك' }).count()).toBeGreaterThan(0);
    expect(await bank.locator('.notifications').textContent()).not.toContain('Security alert');
    // The shop tab switches back to English for its labels; the banking tab's stream stays Arabic.
    await shop.goto(`${server.url}/demo/terminals?lang=en`);
    const atm = shop.locator('#terminal-atm');
    await atm.getByLabel('Card number').fill(card.pan);
    await atm.getByLabel('Expiry (MM/YY)').fill(card.expiry);
    await atm.getByRole('button', { name: 'Withdraw cash' }).click();
    await bank.locator('.toast.alert', { hasText: 'تنبيه أمني' }).waitFor();
    await screenshot(bank, '13-arabic-375px-live-alert', false);
    await bank.setViewportSize({ width: 1100, height: 900 });
    await bank.goto(`${server.url}/?lang=en`);
    expect(await bank.locator('html').getAttribute('dir')).toBe('ltr');
  });
});
