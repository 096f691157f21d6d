import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { Theme } from '../../server/themes/theme.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: contacts', () => {
  const suite = useAdminBrowser({ seed: () => createContact({ email: 'lyon@fts.test', firstName: 'Léa', lastName: 'Lyonnaise', territories: ['commune-69123'] }) });

  it('creates a contact with a theme and a commune, then finds it by filtering on its région', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    await page.getByLabel('Prénom').fill('Samia');
    await page.getByLabel('Nom', { exact: true }).fill('Benali');
    await page.getByLabel('Adresse e-mail *').fill('samia.benali@fts.test');
    await page.getByRole('combobox', { name: 'Thèmes' }).fill('mentale');
    await page.getByRole('option', { name: 'Santé mentale' }).click();
    await page.getByRole('combobox', { name: 'Territoires' }).fill('Saint-Denis');
    await page.getByRole('option', { name: 'Saint-Denis (commune, 93)' }).click();
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await screenshot(page, 'contact-edit');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/contacts\/[a-f0-9]{24}\/show$/);
    await page.getByText('Samia Benali').first().waitFor();

    const saved = await Contact.findOne({ email: 'samia.benali@fts.test' }).lean();
    expect(saved?.territories).to.deep.equal(['commune-93066']);
    expect(saved?.themes).to.have.length(1);
    expect(saved?.territoryScope).to.include('region-11');

    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('cell', { name: 'lyon@fts.test' }).waitFor();
    await page.getByRole('button', { name: 'Ajouter un filtre' }).click();
    await page.getByRole('menu').getByText('Territoires', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Territoires' }).fill('Île-de-France');
    await page.getByRole('option', { name: /^Île-de-France/ }).click();
    await page.getByRole('cell', { name: 'samia.benali@fts.test' }).waitFor();
    await page.getByRole('cell', { name: 'lyon@fts.test' }).waitFor({ state: 'detached' });
    expect(page.url()).to.include('region-11');
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('shows the contact list without serious accessibility violations', async () => {
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('cell', { name: 'lyon@fts.test' }).waitFor();
    await screenshot(page, 'contacts');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    // Each row opens from the keyboard through its name, a real link.
    await page.getByRole('link', { name: 'Léa Lyonnaise' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/contacts\/[a-f0-9]{24}\/show$/);
    await page.close();
  });

  it('adds a theme to and subscribes the selected contacts in bulk', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('row').filter({ hasText: 'lyon@fts.test' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Thèmes / territoires de 1 contact' }).click();
    await page.getByRole('dialog').getByRole('combobox', { name: 'Thèmes' }).fill('Parentalit');
    await page.getByRole('option', { name: 'Parentalité' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Appliquer' }).click();
    await page.getByText('1 contact mis à jour.').waitFor();
    const lyon = await Contact.findOne({ email: 'lyon@fts.test' }).lean();
    const parentalite = await Theme.findOne({ code: 'parentalite' }).lean();
    expect(lyon!.themes.map(String)).to.include(String(parentalite!._id));

    await page.getByRole('row').filter({ hasText: 'lyon@fts.test' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Ajouter 1 contact à une liste' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ajouter 1 contact à une liste' });
    await dialog.getByRole('combobox', { name: 'Liste' }).click();
    await page.getByRole('option', { name: 'Lettre mensuelle (double confirmation)' }).click();
    await dialog.getByText('demande une double confirmation').waitFor();
    await dialog.getByRole('button', { name: 'Envoyer la demande à 1 contact' }).waitFor();
    await dialog.getByRole('radio', { name: /Enregistrer un consentement déjà recueilli/ }).check();
    expect(await dialog.getByRole('button', { name: 'Ajouter 1 contact' }).isDisabled(), 'never subscribed without the consent source').to.equal(true);
    await dialog.getByLabel('Source du consentement').fill('Bulletin papier, rencontre de Lyon');
    await screenshot(page, 'contacts-bulk-double-opt-in');
    await dialog.getByRole('button', { name: 'Ajouter 1 contact' }).click();
    await page.getByText('1 contact ajouté à la liste « Lettre mensuelle ».').waitFor();
    expect(await Subscription.countDocuments({ contact: lyon!._id, status: 'subscribed', 'consent.evidence': 'Bulletin papier, rencontre de Lyon' })).to.equal(1);
    await page.close();
  });

  it('warns while typing an e-mail that another contact already has', async () => {
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    await page.getByLabel('Adresse e-mail *').fill('lyon@fts.test');
    await page.getByRole('status').filter({ hasText: 'Cette adresse appartient déjà à Léa Lyonnaise' }).waitFor();
    await page.close();
  });

  it('shows a board member the contact without any edit button', async () => {
    const page = await pageAs(suite.browser, suite.server, 'board');
    const lyon = await Contact.findOne({ email: 'lyon@fts.test' });
    await page.goto(`${suite.server.url}/admin/contacts/${lyon!._id}/show`);
    await page.getByText('Léa Lyonnaise').first().waitFor();
    expect(await page.getByRole('link', { name: 'Éditer' }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: 'Fusionner' }).count()).to.equal(0);
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('cell', { name: 'lyon@fts.test' }).waitFor();
    expect(await page.getByRole('link', { name: 'Créer' }).count()).to.equal(0);
    expect(await page.getByRole('checkbox').count()).to.equal(0);
    await screenshot(page, 'contacts-board');
    await page.close();
  });

  it('merges a duplicate into a contact, then erases it (RGPD) after a confirmation', async function () {
    this.timeout(60_000);
    const keep = await createContact({ email: 'julie.martin@fts.test', firstName: 'Julie', lastName: 'Martin' });
    await createContact({ email: 'j.martin@ville.test', firstName: 'J.', lastName: 'Martin' });
    const page = await pageAs(suite.browser, suite.server, 'admin');
    await page.goto(`${suite.server.url}/admin/contacts/${keep._id}/show`);
    await page.getByRole('button', { name: 'Fusionner' }).click();
    await page.getByRole('dialog').getByRole('combobox', { name: /Doublon à fusionner/ }).fill('j.martin');
    await page.getByRole('option', { name: /j\.martin@ville\.test/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Fusionner' }).click();
    await page.getByText('Contacts fusionnés.').waitFor();
    expect(await Contact.countDocuments({ email: 'j.martin@ville.test' })).to.equal(0);
    expect((await Contact.findById(keep._id).lean())!.emails).to.include('j.martin@ville.test');

    await page.getByRole('button', { name: 'Effacer (RGPD)' }).click();
    await page.getByRole('dialog').getByText(/irréversible/).waitFor();
    await page.getByRole('button', { name: 'Effacer définitivement' }).click();
    await page.getByText('Données personnelles effacées.').waitFor();
    await page.getByText(/Données personnelles effacées le/).waitFor();
    const erased = await Contact.findById(keep._id).lean();
    expect(erased).to.include({ firstName: '', lastName: '' });
    expect(erased!.email).to.match(/@efface\.invalid$/);
    await page.close();
  });
});
