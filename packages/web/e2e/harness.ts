import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serverModules, type E2eServer, type E2eUser, type Role } from './server.ts';
import { CHROMIUM_ARGS, findChromium } from './chromium.ts';
import { ensureWebBuild, webRoot } from './web-build.ts';

export const screenshotDir = path.resolve(webRoot, '..', '..', 'test-results', 'e2e');

export interface Dashboard {
  server: E2eServer;
  browser: Browser;
  /** A user of the test organisation with this role (created on first use). */
  user(role: Role): Promise<E2eUser>;
  /** Another, new user with this role (for tests that change the account). */
  newUser(role: Role): Promise<E2eUser>;
  /** A fresh browser context (own cookies) with clipboard permission, at `width` px. */
  newPage(options?: { width?: number }): Promise<Page>;
  /** Logs a user in through the form and waits for the Reports screen. */
  login(page: Page, user: Pick<E2eUser, 'email' | 'password'>): Promise<void>;
  screenshot(page: Page, name: string): Promise<void>;
  /** CSP violations and uncaught script errors seen in any page so far. */
  browserProblems: string[];
  close(): Promise<void>;
}

/**
 * One real Arkiv (SQLite is enough for the browser: the API suites cover both engines) serving
 * the built dashboard, and one Chromium. `close` ends every context, the browser and the server.
 */
export async function startDashboard(env: Record<string, string> = {}): Promise<Dashboard> {
  await ensureWebBuild();
  const { startTestServer, addUser } = await serverModules();
  const server = await startTestServer('sqlite', env);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: findChromium()!, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  const users = new Map<Role, E2eUser>();
  const browserProblems: string[] = [];
  fs.mkdirSync(screenshotDir, { recursive: true });
  return {
    server,
    browser,
    browserProblems,
    user: async (role) => {
      const existing = users.get(role);
      if (existing) return existing;
      const created = await addUser(server, role, server.orgId, `${role}-${Date.now()}@example.test`);
      users.set(role, created);
      return created;
    },
    newUser: (role) => addUser(server, role, server.orgId, `${role}-${crypto.randomUUID()}@example.test`),
    newPage: async ({ width = 1280 } = {}) => {
      const context = await browser.newContext({
        viewport: { width, height: width < 600 ? 844 : 900 },
        acceptDownloads: true,
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      contexts.push(context);
      const page = await context.newPage();
      // The dashboard must run under its CSP without a single violation; Chromium reports them on the console.
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) browserProblems.push(`CSP: ${message.text()}`);
      });
      page.on('pageerror', (error) => browserProblems.push(`script error: ${error.message}`));
      page.setDefaultTimeout(15_000);
      return page;
    },
    login: async (page, user) => {
      await page.goto(server.url);
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Reports' }).waitFor();
    },
    screenshot: async (page, name) => {
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close();
      await server.stop();
    },
  };
}
