import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { createContact } from '../../server/contacts/contact.service.js';
import { News } from '../../server/news/news.model.js';
import { createOrganisation } from '../../server/organisations/organisation.service.js';
import { clientAs, type TestServer } from '../helpers.js';
import { missingTranslations, pageAs, screenshot, useAdminBrowser } from './browser.js';

const YEAR = new Date().getFullYear();

/** react-admin's and MUI's English, as it would reach the screen untranslated. */
const ENGLISH = /\b(No options|No results( found)?|Rows per page|Add filter|Page not found|Not found|Create|Delete|Export|Save|Cancel|Clear|Loading|Search|Open|Close|Refresh|Select all)\b/;
/** Codes must be shown with their labels: every hyphenated vocabulary code, state codes, and ObjectIds. */
const vocabularies = JSON.parse(readFileSync('fixtures/reference/vocabularies.json', 'utf8')) as Record<string, Array<[string, string]>>;
const CODES = [...new Set(Object.values(vocabularies).flatMap((entries) => entries.map(([code]) => code)).filter((code) => code.includes('-')))];
const RAW = new RegExp(`(?<![\\w-])(${[...CODES, 'in-progress', 'departement-\\d+', 'commune-\\d+', 'region-\\d+'].join('|')})(?![\\w-])|\\b[a-f0-9]{24}\\b`);

async function seed(server: TestServer) {
  const { client } = await clientAs(server, 'staff');
  const organisation = await createOrganisation({ name: 'Ville de Bondy', type: 'commune', territory: 'commune-93010' });
  const contact = await createContact({
    email: 'ines@fts.test',
    firstName: 'Inès',
    lastName: 'Coordinatrice',
    function: 'coordo-cls',
    territories: ['departement-93'],
    organisations: [String(organisation._id)],
  } as Parameters<typeof createContact>[0]);
  const post = async (path: string, body: unknown) => {
    const reply = await client.post(path, body);
    expect(reply.status, `${path}: ${reply.text}`).to.be.oneOf([200, 201]);
  };
  await post('/api/fee-schedules', { year: YEAR, fees: [{ category: 'personne-physique', amount: 30 }] });
  await post('/api/memberships', { contact: String(contact._id), year: YEAR, category: 'personne-physique' });
  await post('/api/solicitations', { channel: 'email', requesterEmail: 'demande@fts.test', type: 'relais-emploi', requesterType: 'association-locale', subject: 'Offre à relayer', status: 'in-progress' });
  await post('/api/segments', { name: 'Seine-Saint-Denis', filter: { territories: ['departement-93'] } });
}

/**
 * Records every raw code that reaches the page at any moment, not only once it has settled: a
 * code shown while its label loads (a flash of `coordo-cls`) is caught too.
 */
async function watchFlashes(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap the inner functions in a helper the page lacks.
  await page.addInitScript({
    content: `(() => {
      const raw = new RegExp(${JSON.stringify(RAW.source)});
      const seen = (window.maillageFlashes = []);
      const check = (node) => {
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        for (let text = node.nodeType === Node.TEXT_NODE ? node : walker.nextNode(); text; text = walker.nextNode()) {
          if (text.parentElement && text.parentElement.closest('style, script, noscript, template')) continue;
          const hit = (text.textContent || '').match(raw);
          if (hit) seen.push(hit[0]);
        }
      };
      new MutationObserver((records) => {
        for (const record of records) {
          if (record.type === 'characterData') check(record.target);
          record.addedNodes.forEach(check);
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    })();`,
  });
}

/** The raw codes seen on the page since the last call. */
async function flashes(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { maillageFlashes: string[] }).maillageFlashes.splice(0));
}

/** Opens every item of the menu and returns what went wrong on each screen. */
async function walkMenu(page: Page, base: string, role: string): Promise<string[]> {
  const problems: string[] = [];
  let screen = '';
  await watchFlashes(page);
  page.on('response', (r) => r.url().includes('/api/') && r.status() >= 400 && problems.push(`${screen}: HTTP ${r.status()} ${r.url()}`));
  page.on('pageerror', (e) => problems.push(`${screen}: ${e.message}`));
  await page.goto(`${base}/admin/`);
  const menu = page.locator('.RaSidebar-fixed a, .MuiDrawer-root a');
  await menu.first().waitFor();
  const items = await menu.evaluateAll((links) => links.map((a) => ({ href: (a as HTMLAnchorElement).pathname, name: a.textContent?.trim() ?? '' })));
  for (const item of items) {
    screen = item.name;
    await page.goto(`${base}${item.href}`);
    await page.locator('#main-content').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    const text = await page.locator('#main-content').innerText();
    const english = text.match(ENGLISH);
    if (english) problems.push(`${screen}: English "${english[0]}"`);
    // The value lists' own screen is where codes are edited: it shows them on purpose.
    const raw = item.href.endsWith('/vocabularies') ? null : text.match(RAW);
    if (raw) problems.push(`${screen}: raw code "${raw[0]}"`);
    const flashed = item.href.endsWith('/vocabularies') ? [] : await flashes(page);
    if (flashed.length) problems.push(`${screen}: raw code while loading "${[...new Set(flashed)].join('", "')}"`);
    const title = await page.title();
    if (!/ — Maillage$/.test(title)) problems.push(`${screen}: tab title "${title}"`);
    await screenshot(page, `walk-${role}-${item.href.replace(/\W+/g, '-')}`);
  }
  return problems;
}

describe('the admin in a browser: every menu item, as staff and as a board member', () => {
  const suite = useAdminBrowser({ seed });

  it('shows no English stock phrase, no raw code and no HTTP error on any screen, as staff', async function () {
    this.timeout(180_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    expect(await walkMenu(page, suite.server.url, 'staff')).to.deep.equal([]);
    // A contact's page: origin, function, territories and organisations by their labels.
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByText('Inès').first().waitFor();
    await flashes(page);
    await page.getByText('Inès').first().click();
    await page.getByText('Saisie manuelle').waitFor();
    await page.getByText('Ville de Bondy').first().waitFor();
    const text = await page.locator('#main-content').innerText();
    expect(text.match(RAW)?.[0]).to.equal(undefined);
    expect(await flashes(page), 'no code shown while the labels load').to.deep.equal([]);
    // The watcher itself sees a code put on the page: it cannot pass by being dead.
    await page.evaluate(() => document.body.append(document.createTextNode('coordo-cls')));
    expect(await flashes(page)).to.deep.equal(['coordo-cls']);
    expect(text).not.to.match(/\bstaff\b/);
    await screenshot(page, 'walk-contact-show');
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('says "Accès en lecture seule" to a board member, hides what they cannot open, and shows no error', async function () {
    this.timeout(180_000);
    const page = await pageAs(suite.browser, suite.server, 'board');
    expect(await walkMenu(page, suite.server.url, 'board')).to.deep.equal([]);
    await page.goto(`${suite.server.url}/admin/segments`);
    await page.getByText('Accès en lecture seule').waitFor();
    const menu = await page.locator('.RaSidebar-fixed').innerText();
    expect(menu).not.to.match(/Imports|Boîte d’envoi|Comptes/);
    expect(await page.getByRole('link', { name: 'Créer' }).count()).to.equal(0);
    await page.getByText('Seine-Saint-Denis').first().click();
    await page.waitForURL(/\/segments\/[a-f0-9]{24}\/show$/);
    await page.getByText('1 contact', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Voir les contacts du segment' }).click();
    await page.getByText('ines@fts.test').waitFor();
    await page.close();
  });

  it('says "Page introuvable" for an unknown screen, and "Aucun résultat" / "Effacer" in an autocomplete', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/nulle-part`);
    await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    await page.getByRole('combobox', { name: 'Thèmes' }).fill('zzzzzz');
    await page.getByText('Aucun résultat').waitFor();
    await page.close();
  });
});

describe('the admin in a browser: news quick entry', () => {
  const suite = useAdminBrowser();

  it('enters two news items in a row with an image and a counted multi-line summary', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/news/create`);
    await page.getByLabel('Titre').fill('Appel à projets santé mentale');
    await page.getByRole('combobox', { name: 'Catégorie' }).click();
    await page.getByRole('option', { name: 'Appels à projets' }).click();
    await page.getByLabel('Résumé').fill('Première ligne.\nDeuxième ligne.');
    await page.getByText('31 / 5 000 caractères').waitFor();
    await page.getByLabel('Image (adresse web)').fill('https://exemple.fr/visuel.png');
    await screenshot(page, 'news-quick-entry');
    await page.getByRole('button', { name: 'Enregistrer et ajouter une autre' }).click();
    await page.getByText('Actualité enregistrée : saisissez la suivante.').waitFor();
    expect(await page.getByLabel('Titre').inputValue()).to.equal('');
    expect(await page.getByRole('combobox', { name: 'Catégorie' }).textContent()).to.include('Appels à projets');
    await page.getByLabel('Titre').fill('Deuxième actualité');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.waitForURL(/\/admin\/news(\?.*)?$/);
    const first = await News.findOne({ title: 'Appel à projets santé mentale' }).lean();
    expect(first).to.include({ summary: 'Première ligne.\nDeuxième ligne.', imageUrl: 'https://exemple.fr/visuel.png' });
    expect(await News.countDocuments({ title: 'Deuxième actualité' })).to.equal(1);
    await page.close();
  });
});
