// Browser tests against the Harness's own app, served over HTTP: the page is open in Chromium while
// the test sends signed network messages through the same Harness (h.authorize), so what the
// customer sees changes because of a real authorization. Also: signing in through the pages, and
// axe-core injected into a page for the automated accessibility check.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Page } from 'playwright-core';
import type { Harness } from './harness.js';

export async function serveHarness(h: Harness): Promise<{ url: string; close(): Promise<void> }> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Password, then the code, through the sign-in pages; ends on the page `next` names (or /). */
export async function signInThroughPages(page: Page, base: string, h: Harness, who: { username: string; password: string; totpSecret: string }, o: { lang?: 'en' | 'ar'; path?: string } = {}) {
  await page.goto(`${base}${o.path ?? '/login'}${(o.path ?? '/login').includes('?') ? '&' : '?'}lang=${o.lang ?? 'en'}`);
  if (!new URL(page.url()).pathname.startsWith('/login')) return;
  await page.locator('#username').fill(who.username);
  await page.locator('#password').fill(who.password);
  await Promise.all([page.waitForURL(/\/login\/code/), page.locator('main button[type=submit]').first().click()]);
  await page.locator('#otp').fill(await h.otp(who.totpSecret));
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.locator('main button[type=submit]').first().click()]);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the pages' CSP (script-src 'self') does not govern.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  return violations;
}
