// Takes the README's screenshots (docs/screenshots/) of the online-banking pages in English at
// 1280 px and Arabic at 375 px, against an in-memory service with a story behind it: a purchase,
// a decline over the limit, an ATM attempt, a posted purchase and a pending one.
// Run: npx tsx scripts/screenshots.ts   (needs /usr/bin/chromium)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../test/support/browser.js';
import { Harness } from '../test/support/harness.js';
import { serveHarness, signInThroughPages } from '../test/support/harness-browser.js';

const OUT = 'docs/screenshots';

async function main() {
  mkdirSync(OUT, { recursive: true });
  const h = await Harness.create();
  const site = await serveHarness(h);
  const holder = await h.cardholder(100_000);
  const buy = (o: Record<string, unknown>) => h.authorize(holder, o);
  const first = await buy({ amount: 12_500, merchantName: 'Gulf Books Online' });
  await h.network('/v1/network/clearings', { records: [{ rrn: first.body && (await h.deps.handle.db.selectFrom('authorizations').select('rrn').where('id', '=', first.body.authorizationId).executeTakeFirstOrThrow()).rrn, authCode: first.body.authCode, acquirerId: '412345', amount: 12_500, currency: '414', processingCode: '000000', mcc: '5732', merchantName: 'Gulf Books Online' }] });
  await buy({ amount: 7_250, merchantName: 'Souq Electronics' });
  await buy({ amount: 150_000, merchantName: 'Big TV Store' });
  await buy({ merchantName: 'Corner ATM', processingCode: '010000', mcc: '6011', terminalType: 'atm', posEntryMode: '051' });
  const { context, close } = await launchBrowser();
  const page = await context.newPage();
  const who = { username: holder.customer.username, password: holder.customer.password, totpSecret: holder.totpSecret };
  await signInThroughPages(page, site.url, h, who);
  const shots: [string, string][] = [
    ['dashboard', '/'], ['transactions', '/transactions'], ['pay', '/pay'], ['reveal', `/cards/${holder.card.id}/reveal`],
    ['approvals', '/approvals'], ['not-found', '/no-such-page'],
  ];
  for (const [lang, viewport] of [['en', { width: 1280, height: 900 }], ['ar', { width: 375, height: 760 }]] as const) {
    await page.setViewportSize(viewport);
    for (const [name, path] of shots) {
      await page.goto(`${site.url}${path}?lang=${lang}`);
      const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 || el.getBoundingClientRect().left < -1).map((el) => `${el.tagName}.${el.className}`).slice(0, 5));
      if (wide.length) console.log(`${lang} ${name}: wider than the screen: ${wide.join(', ')}`);
      await page.screenshot({ path: join(OUT, `${name}-${lang}-${viewport.width}.png`), fullPage: true });
    }
  }
  await close();
  await site.close();
  await h.close();
  console.log(`screenshots in ${OUT}/`);
}

main().catch((error) => { console.error(error); process.exit(1); });
