/**
 * bench/admin: the first load of the admin's login page, dashboard and contact list with
 * 100,000 contacts in the database. A fresh embedded FerretDB (SQLite) is filled with generated
 * contacts, the real app (with the production build of the admin) runs in a child process, and
 * headless Chromium opens each screen with a cold cache (a new browser context each run), then
 * reloads it with a warm cache. Time = navigation start → the frame that shows the screen usable
 * (the page's own clock, checked at every frame: `shownAt`): the login form's fields, the
 * dashboard's contact count (drawn by the first paint, admin/src/firstPaint/, before the app has
 * loaded), the first page of contacts. `dashboard_app`: the whole dashboard drawn by the app (its
 * menu, every key figure, the first paint gone). `dashboard_after_login`: the dashboard opened,
 * with a cold cache, right after the login page (untimed) as in a working day.
 *
 *   npx tsx bench/admin/first-load.ts [--contacts 100000] [--runs 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ProcessMeter, printFigures } from '../lib/proc.js';
import { loadReferenceData } from '../../fixtures/index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { deriveContactFields } from '../../server/contacts/contact.service.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { findFreePort, startFerretdb } from '../../server/lib/ferretdb.js';
import { loadGeography } from '../../server/territories/territory.data.js';
import { Theme } from '../../server/themes/theme.model.js';
import { openSession, SESSION_COOKIE } from '../../server/users/auth.service.js';
import { createUser } from '../../server/users/user.service.js';
import { ensureAdminBuild } from '../../scripts/admin-build.js';
import mongoose from 'mongoose';
import { createLogger } from '../../server/lib/logger.js';
import { runMigrations } from '../../server/ops/migration.service.js';
import { bundleServer } from '../../scripts/build.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONTACTS = arg('contacts', 100_000);
const RUNS = arg('runs', 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const FIRST = 'Hélène Marie Nathalie Sophie Camille Léa Inès Aïcha Samia Élodie Zoé Anaïs Jean Pierre Nicolas Thomas Karim Mehdi Noël Loïc Théo'.split(' ');
const LAST = 'Martin Bernard Dubois Petit Durand Leroy Moreau Lefèvre Garcia Roux Girard Dupont Faure Guérin Nguyen Benali Haddad Diallo Traoré Hoarau'.split(' ');

let seed = 20261122;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)];
const slug = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');

async function generate(): Promise<void> {
  const communes = loadGeography().all.filter((t) => t.kind === 'commune' && (t.population ?? 0) > 20_000);
  const themes = (await Theme.find({}, { _id: 1 }).lean()).map((t) => t._id);
  const started = Date.now();
  for (let offset = 0; offset < CONTACTS; offset += 1000) {
    const batch = [];
    for (let i = offset; i < Math.min(CONTACTS, offset + 1000); i++) {
      const [firstName, lastName] = [pick(FIRST), pick(LAST)];
      batch.push(
        await deriveContactFields(
          {
            firstName,
            lastName,
            email: `${slug(firstName)}.${slug(lastName)}.${i}@exemple-${i % 97}.fr`,
            emails: [] as string[],
            phones: [] as string[],
            organisations: [],
            dispositifs: [] as string[],
            themes: [pick(themes)],
            territories: [pick(communes).id],
            notes: '',
            source: 'bench',
            createdAt: new Date(),
            updatedAt: new Date(),
          },
          [],
        ),
      );
    }
    await Contact.collection.insertMany(batch, { ordered: false });
    if ((offset / 1000) % 20 === 19) console.log(`  ${offset + 1000} contacts inserted (${Math.round((Date.now() - started) / 1000)} s)`);
  }
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    try {
      await fetch(`${url}/api/health`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('server did not start');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * What makes a screen usable: the login form; a text shown exactly; the app's whole dashboard
 * (its menu, the report's figures, no first paint left); a cell with an address.
 */
type Shown = { kind: 'login-form' } | { kind: 'text'; text: string } | { kind: 'app-dashboard' } | { kind: 'address-cell' };

type Screen = { name: string; label: string; path: string; session: boolean; shown: Shown; before?: string };

/** Runs in the page: no inner named function (tsx would wrap it in a helper the page lacks). */
function isShown(shown: Shown): boolean {
  if (shown.kind === 'login-form') return document.getElementById('identifiant')?.checkVisibility() ?? false;
  if (shown.kind === 'app-dashboard') {
    if (document.getElementById('first-paint')) return false;
    const menu = [...document.querySelectorAll('[role="menuitem"]')].some((item) => item.textContent?.trim() === 'Contacts' && item.checkVisibility());
    return menu && [...document.querySelectorAll('#main-content p')].some((p) => / qualifiés$/.test(p.textContent ?? '') && p.checkVisibility());
  }
  if (shown.kind === 'address-cell') return [...document.querySelectorAll('td')].some((cell) => /@exemple-\d+\.fr$/.test(cell.textContent ?? '') && cell.checkVisibility());
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.nodeValue === shown.text && node.parentElement?.checkVisibility()) return true;
  return false;
}

/**
 * The page's own clock (from the navigation's start) at the first frame that shows the screen
 * usable: checked at every animation frame, just before the browser paints it. Playwright's
 * locators would poll at growing intervals (up to 500 ms), which blurs the figure.
 */
async function shownAt(page: Page, screen: Screen): Promise<number> {
  // a function built from isShown's source, not a string: the admin's CSP forbids eval in the page
  const check = new Function('shown', `return (${String(isShown)})(shown) && performance.now()`) as (shown: Shown) => number | false;
  const at = await page.waitForFunction(check, screen.shown, { polling: 'raf', timeout: 300_000 });
  return (await at.jsonValue()) as number;
}


/** Cold loads (a new browser context each run) and warm reloads of one screen; run 0 warms the server up. */
async function measure(browser: Browser, url: string, token: string, screen: Screen): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1366, height: 900 } });
    if (screen.session) await context.addCookies([{ name: SESSION_COOKIE, value: token, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    // A page opened first, untimed, as a person would (the login page, whose prefetches then fill the cache).
    if (screen.before) await page.goto(`${url}${screen.before}`, { waitUntil: 'networkidle' });
    const load = async () => {
      await page.goto(`${url}${screen.path}`, { waitUntil: 'commit' });
      return shownAt(page, screen);
    };
    const first = await load();
    if (process.env.BENCH_DETAIL) {
      const entries = await page.evaluate(() =>
        performance.getEntries().map((e) => `${e.entryType} ${e.name.replace(location.origin, '').slice(0, 80)} start=${e.startTime.toFixed(0)} dur=${e.duration.toFixed(0)}`),
      );
      console.log(`${screen.name}:\n${entries.join('\n')}`);
    }
    const again = await load(); // same context: assets from the HTTP cache
    if (run > 0) cold.push(first), warm.push(again);
    console.log(`  ${screen.name} run ${run}: cold ${first.toFixed(0)} ms, warm ${again.toFixed(0)} ms${run === 0 ? ' (warm-up)' : ''}`);
    await context.close();
  }
  return { cold, warm };
}

/** FerretDB runs under a guard shell: its pid is the shell's child. */
function childPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    return children.find((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('ferretdb'));
  } catch {
    return undefined;
  }
}

async function main() {
  ensureAdminBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-admin-'));
  const ferretdb = await startFerretdb({ storage: { kind: 'sqlite', dir: path.join(dir, 'db') }, database: 'bench' });
  let server: ReturnType<typeof spawn> | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    await connectDatabase(ferretdb.uri);
    await loadReferenceData();
    // The schema is current before the contacts exist: the app does not rescan 100,000 records at start-up.
    await runMigrations(mongoose.connection.db!, createLogger('silent'));
    console.log(`Generating ${CONTACTS} contacts…`);
    const t = Date.now();
    await generate();
    console.log(`Generated in ${Math.round((Date.now() - t) / 1000)} s; ${await Contact.estimatedDocumentCount()} contacts in the database.`);
    await createUser({ email: 'bench@maillage.test', name: 'Bench', role: 'staff', password: 'premier chargement du tableau 2026' });
    const token = (await openSession('bench@maillage.test', 'premier chargement du tableau 2026'))!.token;

    const port = await findFreePort();
    server = spawn(process.execPath, [await bundleServer('main')], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'development', MONGODB_URI: ferretdb.uri, PORT: String(port), HOST: '127.0.0.1', JOBS: 'off', DEMO_DATA: 'off', LOG_LEVEL: 'fatal', DATA_DIR: dir, SECRET: 'bench-secret-0123456789-abcdefghijklmnop' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForServer(url);

    // The API alone: the request the list page sends first (react-admin's default: sorted by name, with the total).
    const apiTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const reply = await fetch(`${url}/api/contacts?filter=%7B%7D&range=%5B0%2C24%5D&sort=%5B%22sortName%22%2C%22ASC%22%5D`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
      await reply.json();
      apiTimes.push(performance.now() - started);
      console.log(`  API first page: ${apiTimes.at(-1)!.toFixed(0)} ms (${reply.headers.get('content-range')})`);
    }

    const meter = new ProcessMeter({ bench: process.pid, app: server.pid, database: childPid(ferretdb.process.pid) });
    const count = new Intl.NumberFormat('fr-FR').format(CONTACTS).replace(/[\u202f\u00a0]/g, ' ');
    const screens: Screen[] = [
      { name: 'login', label: 'login page (form usable)', path: '/admin/login', session: false, shown: { kind: 'login-form' } },
      { name: 'dashboard', label: `dashboard (the contact count "${count}" shown)`, path: '/admin/', session: true, shown: { kind: 'text', text: count } },
      { name: 'dashboard_app', label: 'the whole dashboard drawn by the app (its menu and every key figure)', path: '/admin/', session: true, shown: { kind: 'app-dashboard' } },
      { name: 'dashboard_after_login', label: `dashboard after the login page (its prefetches in the cache; the count shown)`, path: '/admin/', session: true, before: '/admin/login', shown: { kind: 'text', text: count } },
      { name: 'contacts', label: 'contact list (first page shown)', path: '/admin/contacts', session: true, shown: { kind: 'address-cell' } },
    ];
    const results: Record<string, { cold: number[]; warm: number[] }> = {};
    for (const screen of screens) results[screen.name] = await measure(browser, url, token, screen);
    const figures = meter.stop().fields({ peakOf: ['app'] });

    console.log(`\nFirst loads with ${CONTACTS} contacts, ${RUNS} runs after 1 warm-up:`);
    console.log('| screen | cold median (ms) | cold min–max (ms) | warm median (ms) | warm min–max (ms) |');
    console.log('|---|---|---|---|---|');
    for (const screen of screens) {
      const { cold, warm } = results[screen.name];
      console.log(`| ${screen.label} | ${median(cold).toFixed(0)} | ${Math.min(...cold).toFixed(0)}–${Math.max(...cold).toFixed(0)} | ${median(warm).toFixed(0)} | ${Math.min(...warm).toFixed(0)}–${Math.max(...warm).toFixed(0)} |`);
    }
    console.log(`| API alone: GET /api/contacts first page (sorted, with total) | ${median(apiTimes).toFixed(0)} | ${Math.min(...apiTimes).toFixed(0)}–${Math.max(...apiTimes).toFixed(0)} | | |`);
    printFigures({
      contacts: CONTACTS,
      runs: RUNS,
      ...Object.fromEntries(screens.flatMap((s) => [[`${s.name}_cold_ms`, Math.round(median(results[s.name].cold))], [`${s.name}_warm_ms`, Math.round(median(results[s.name].warm))]])),
      api_first_page_ms: Math.round(median(apiTimes)),
      ...figures,
    });
  } finally {
    await browser.close();
    server?.kill('SIGTERM');
    await disconnectDatabase();
    await ferretdb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
