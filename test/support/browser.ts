// Browser tests: the real server (createApp served by @hono/node-server on a free port, SQLite in a
// temporary file, a ManualClock so each TOTP code can be fresh) and Debian's Chromium driven by
// playwright-core. Without Chromium: fail in CI, skip with a message on a laptop.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { generate } from 'otplib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServices } from '../../src/bootstrap.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/env.js';
import { createLogger } from '../../src/logger.js';
import { createCustomer } from '../../src/service/admin/customers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = 'test-results/screenshots';

/** Whether browser tests run here; in CI a missing Chromium is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install chromium fonts-noto-core)`);
  }
  console.log(`[tests] ${CHROMIUM} not found: skipping browser tests (apt-get install chromium fonts-noto-core to run them)`);
  return false;
}

export interface WebServer {
  url: string;
  deps: AppDeps;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function startWebServer(): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'isc-web-'));
  // The demo shop and terminals are part of the story: demo mode set as a value (NODE_ENV=test keeps it off).
  const config = { ...loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'cards.db')}`, LOG_LEVEL: 'warn' }), demo: true };
  const clock = new ManualClock(Date.now());
  const quiet = new Writable({ write(_chunk, _enc, done) { done(); } });
  const deps = await startServices({
    config, clock, logger: createLogger('warn', quiet),
    secrets: { adminApiKey: randomBytes(16).toString('hex'), networkKeyId: 'net_web_test', networkSecret: randomBytes(24).toString('hex'), masterKey: randomBytes(32) },
  });
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, deps, clock,
    close: async () => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'isc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function seedCustomer(server: WebServer, o: { username: string; password: string; name: string }) {
  return createCustomer(server.deps, { ...o, currentAccountBalance: 1_500_000 }, { type: 'system', id: 'web-test' });
}

/** A code the server accepts now: moves its clock to the next 30-second step first. */
export async function freshOtp(server: WebServer, secret: string): Promise<string> {
  server.clock.advance(30_000);
  return generate({ secret, epoch: Math.floor(server.clock.now() / 1000) });
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
