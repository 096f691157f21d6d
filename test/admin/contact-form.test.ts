import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: the contact form', () => {
  const suite = useAdminBrowser();

  it('creates an organisation that is not found from the contact form, in a small dialog, and links it', async function () {
    this.timeout(90_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    await page.getByLabel('Adresse e-mail *').fill('karim@tilleuls.test');
    await page.getByLabel('Nom', { exact: true }).fill('Haddad');
    await page.getByRole('combobox', { name: 'Organisations' }).fill('Centre social Les Tilleuls');
    await page.getByRole('option', { name: 'Créer l’organisation « Centre social Les Tilleuls »' }).click();

    const dialog = page.getByRole('dialog', { name: 'Nouvelle organisation' });
    expect(await dialog.getByLabel('Nom de l’organisation *').inputValue()).to.equal('Centre social Les Tilleuls');
    await dialog.getByRole('combobox', { name: 'Type d’organisation' }).click();
    await page.getByRole('option', { name: 'Association locale' }).click();
    await dialog.getByRole('combobox', { name: 'Territoire' }).fill('Saint-Denis');
    await page.getByRole('option', { name: 'Saint-Denis (commune, 93)' }).click();
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await screenshot(page, 'contact-form-create-organisation');
    await dialog.getByRole('button', { name: 'Créer l’organisation' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The new organisation is picked in the contact form, which is still being filled in.
    await page.getByRole('button', { name: 'Centre social Les Tilleuls' }).waitFor();
    expect(page.url()).to.match(/\/contacts\/create$/);
    expect(await Contact.countDocuments({ email: 'karim@tilleuls.test' })).to.equal(0);
    const organisation = await Organisation.findOne({ name: 'Centre social Les Tilleuls' }).lean();
    expect(organisation).to.include({ type: 'association-locale', territory: 'commune-93066' });

    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/contacts\/[a-f0-9]{24}\/show$/);
    const saved = await Contact.findOne({ email: 'karim@tilleuls.test' }).lean();
    expect(saved!.organisations.map(String)).to.deep.equal([String(organisation!._id)]);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('says what each territory is in the picker: région, département, commune', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    const territories = page.getByRole('combobox', { name: 'Territoires' });
    await territories.fill('93');
    await page.getByRole('option', { name: 'Seine-Saint-Denis (département 93)' }).waitFor();
    await page.getByRole('option', { name: 'Provence-Alpes-Côte d\'Azur (région 93)' }).waitFor();
    await screenshot(page, 'contact-form-territory-kinds');
    await territories.fill('Saint-Denis');
    await page.getByRole('option', { name: 'Saint-Denis (commune, 93)' }).click();
    await page.getByRole('button', { name: 'Saint-Denis (commune, 93)' }).waitFor();
    await page.close();
  });

  it('says "Aucun résultat" and "Effacer" in the autocompletes, never "No options" or "Clear"', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/contacts/create`);
    const territories = page.getByRole('combobox', { name: 'Territoires' });
    await territories.fill('zzzzqqq');
    await page.getByText('Aucun résultat').waitFor();
    // MUI offers the clear button once something is picked (shown under the pointer).
    await territories.fill('Bondy');
    await page.getByRole('option', { name: 'Bondy (commune, 93)' }).click();
    await territories.hover();
    await page.getByRole('button', { name: 'Effacer' }).click();
    await page.getByRole('button', { name: 'Bondy (commune, 93)' }).waitFor({ state: 'detached' });
    const text = await page.locator('body').innerText();
    const labels = await page.locator('[aria-label], [title]').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('aria-label') ?? ''} ${n.getAttribute('title') ?? ''}`).join('\n'));
    expect(`${text}\n${labels}`).not.to.match(/\b(No options|Clear|Open|Close)\b/);
    await page.close();
  });
});
