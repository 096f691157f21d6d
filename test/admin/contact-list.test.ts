import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createContact } from '../../server/contacts/contact.service.js';
import { List } from '../../server/lists/list.model.js';
import { createOrganisation } from '../../server/organisations/organisation.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { Theme } from '../../server/themes/theme.model.js';
import { describeViolations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const PLAIN = 30;

/** One heavily qualified contact (the widest row there is) and 30 plain ones: more than a page. */
async function seed() {
  const themes = (await Theme.find().sort({ order: 1 }).limit(7).lean()).map((t) => String(t._id));
  const organisations = [];
  for (const organisation of [
    { name: 'Communauté d’agglomération Plaine Vallée Rhône-Alpes Auvergne', type: 'epci', territory: 'commune-69123' },
    { name: 'Association régionale pour la promotion de la santé mentale', type: 'association-regionale' },
    { name: 'Centre hospitalier intercommunal Robert Ballanger', type: 'etablissement-sante' },
  ]) organisations.push(await createOrganisation(organisation));
  await createContact({
    email: 'coordination.sante-mentale.intercommunale@agglomeration-plaine-vallee.test',
    firstName: 'Marie-Christine',
    lastName: 'Delacroix-Fontaine de Saint-Exupéry',
    function: 'coordo-clsm',
    themes,
    territories: ['commune-93066', 'departement-69', 'region-84', 'epci-200046977', 'qualite-qpv'],
    organisations: organisations.map((o) => String(o._id)),
  } as Parameters<typeof createContact>[0]);
  for (let i = 1; i <= PLAIN; i++) await createContact({ email: `contact${String(i).padStart(2, '0')}@fts.test`, lastName: `Suivant ${i}` });
}

/** Elements of the main area wider than their box (a horizontal scroll bar, or clipped content). */
async function horizontalOverflow(page: Page) {
  return page.evaluate(() => {
    const wide: string[] = [];
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth) wide.push(`page ${document.documentElement.scrollWidth}px`);
    for (const el of document.querySelectorAll<HTMLElement>('#main-content, #main-content *')) {
      const style = getComputedStyle(el);
      if (!['auto', 'scroll'].includes(style.overflowX)) continue;
      if (el.scrollWidth > el.clientWidth + 1) wide.push(`${el.className || el.tagName} ${el.scrollWidth}px > ${el.clientWidth}px`);
    }
    return wide;
  });
}

async function focusedNames(page: Page, presses: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    names.push(await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return `${el?.getAttribute('aria-label') ?? ''} ${el?.innerText ?? ''}`.trim();
    }));
  }
  return names;
}

describe('the admin in a browser: the contact list', () => {
  const suite = useAdminBrowser({ seed });

  it('keeps to the columns a 1440 px screen holds: nothing overflows horizontally', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('link', { name: /Delacroix-Fontaine/ }).waitFor();
    await page.getByText('Santé mentale').first().waitFor();
    await page.getByText('+2', { exact: true }).waitFor(); // 3 organisations: one chip and "+2"
    await page.getByText('+3', { exact: true }).waitFor(); // 5 territories
    await screenshot(page, 'contact-list-1440');
    expect(await horizontalOverflow(page)).to.deep.equal([]);
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await page.close();
  });

  it('shows the filters and search kept from an earlier visit as such, with one "Tout effacer"', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByPlaceholder('Nom, e-mail, organisation…').fill('Delacroix');
    await page.waitForURL(/filter=.*Delacroix/);
    await page.getByRole('cell', { name: 'contact01@fts.test' }).waitFor({ state: 'detached' });
    // Typed now: nothing to say yet.
    expect(await page.getByText('Filtres repris de votre dernière visite').count()).to.equal(0);

    await page.getByRole('menuitem', { name: 'Tableau de bord' }).click();
    await page.waitForURL(/\/admin\/?$/);
    await page.getByRole('menuitem', { name: 'Contacts' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Filtres repris de votre dernière visite : Recherche « Delacroix ».' });
    await notice.waitFor();
    expect(await page.getByRole('button', { name: 'Tout effacer' }).count()).to.equal(1);
    expect(await page.getByRole('cell', { name: 'contact01@fts.test' }).count()).to.equal(0);
    await screenshot(page, 'contact-list-restored-filters');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Tout effacer' }).click();
    await page.getByRole('cell', { name: 'contact01@fts.test' }).waitFor();
    await notice.waitFor({ state: 'detached' });
    expect(await page.getByPlaceholder('Nom, e-mail, organisation…').inputValue()).to.equal('');
    await page.close();
  });

  it('has no bulk-action tab stop without a selection, and says how many contacts a bulk action touches', async function () {
    this.timeout(120_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('cell', { name: 'contact01@fts.test' }).waitFor();
    await page.getByRole('link', { name: /Delacroix-Fontaine/ }).focus();
    const stops = await focusedNames(page, 12);
    expect(stops.filter((name) => /Ajouter|territoires de|Supprimer|Tout sélectionner|Désélectionner/.test(name))).to.deep.equal([]);
    expect(await page.locator('button', { hasText: /Ajouter .* à une liste|Tout sélectionner/ }).count()).to.equal(0);

    await page.getByRole('row').filter({ hasText: 'contact01@fts.test' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Ajouter 1 contact à une liste…' }).waitFor();
    // The page, then everything the filters match.
    await page.getByRole('checkbox', { name: 'Tout sélectionner' }).check();
    await page.getByRole('button', { name: 'Ajouter 25 contacts à une liste…' }).waitFor();
    await page.getByRole('button', { name: 'Tout sélectionner' }).click();
    const total = PLAIN + 1;
    await page.getByRole('button', { name: `Ajouter ${total} contacts à une liste…` }).click();
    const dialog = page.getByRole('dialog', { name: `Ajouter ${total} contacts à une liste` });
    await dialog.getByRole('combobox', { name: 'Liste' }).click();
    await page.getByRole('option', { name: 'Informations du réseau' }).click();
    await screenshot(page, 'contact-list-bulk-count');
    // Each addition held back a little (still sent to the real API): the progress can be read.
    await page.route('**/api/subscriptions', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await route.continue();
    });
    await dialog.getByRole('button', { name: `Ajouter ${total} contacts` }).click();
    await dialog.getByRole('status').filter({ hasText: new RegExp(`^\\d+ sur ${total} contacts$`) }).waitFor();
    await page.getByText(`${total} contacts ajoutés à la liste « Informations du réseau ».`).waitFor({ timeout: 60_000 });
    const list = await List.findOne({ code: 'informations-reseau' }).lean();
    expect(await Subscription.countDocuments({ list: list!._id })).to.equal(total);
    await page.close();
  });
});
