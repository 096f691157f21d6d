import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureAdminBuild } from '../../scripts/admin-build.js';
import { SESSION_COOKIE } from '../../server/users/auth.service.js';
import type { Role } from '../../server/users/user.model.js';
import { clientAs, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const ARTIFACTS = path.resolve('test-artifacts/admin');

export type AdminBrowser = { context: BrowserContext; close(): Promise<void> };

/** Builds the admin if admin/dist is missing or stale, then a headless Chromium on a fresh profile. */
export async function launchBrowser(): Promise<AdminBrowser> {
  ensureAdminBuild();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'maillage-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1366, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type AdminSuite = { readonly server: TestServer; readonly browser: AdminBrowser };

/**
 * The hooks of a browser suite: a clean database with its reference data, the real app (with
 * its jobs when asked), Chromium, then `seed`; both closed after the suite.
 */
export function useAdminBrowser(options: { jobs?: boolean; env?: Record<string, string>; seed?: (server: TestServer) => Promise<unknown> } = {}): AdminSuite {
  let server: TestServer | undefined;
  let browser: AdminBrowser | undefined;
  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    server = await startTestServer({ jobs: options.jobs, env: options.env });
    browser = await launchBrowser();
    await options.seed?.(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
  };
}

/** A page of the admin already logged in as a new user of that role (cookie set, no login form). */
export async function pageAs(browser: AdminBrowser, server: TestServer, role: Role): Promise<Page> {
  const { client } = await clientAs(server, role);
  const token = client.cookie!.slice(SESSION_COOKIE.length + 1);
  const { hostname } = new URL(server.url);
  await browser.context.clearCookies();
  await browser.context.addCookies([{ name: SESSION_COOKIE, value: token, domain: hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
  const page = await browser.context.newPage();
  const missing: string[] = [];
  untranslated.set(page, missing);
  page.on('console', (message) => {
    if (/missing translation/i.test(message.text())) missing.push(message.text());
  });
  // Each test starts without the list filters and sorts react-admin kept in localStorage (once per tab).
  await page.addInitScript(() => {
    if (sessionStorage.getItem('maillage-test-tab')) return;
    localStorage.clear();
    sessionStorage.setItem('maillage-test-tab', '1');
  });
  return page;
}

const untranslated = new WeakMap<Page, string[]>();

/** The "Missing translation" warnings react-admin printed on this page: English (or a raw key) reached the UI. */
export function missingTranslations(page: Page): string[] {
  return untranslated.get(page) ?? [];
}

/**
 * The visible part of the page: a full-page capture makes Chromium resize the window for a moment
 * (to 1 px wide), which flips the phone layout on and remounts lists, closing their open dialogs.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

export type AxeViolation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

/** axe-core's WCAG 2.1 A/AA rules on the current page; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the app keeps running under the server's CSP.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Readable in a failed assertion: rule, help and the first elements concerned. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} → ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}
