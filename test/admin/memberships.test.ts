import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { createFeeSchedule } from '../../server/memberships/membership.service.js';
import { Membership } from '../../server/memberships/membership.model.js';
import { createOrganisation } from '../../server/organisations/organisation.service.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const YEAR = new Date().getFullYear();

describe('the admin in a browser: memberships through a day', () => {
  const suite = useAdminBrowser({
    seed: async () => {
      await createFeeSchedule({
        year: YEAR,
        fees: [
          { category: 'collectivite-plus-100000', amount: 1000 },
          { category: 'association', amount: 250 },
          { category: 'personne-physique', amount: 30 },
        ],
      });
      await createOrganisation({ name: 'Ville de Saint-Denis', type: 'commune', territory: 'commune-93066' });
      for (const [firstName, lastName] of [['Anne', 'Abel'], ['Basile', 'Bonnet']]) {
        const contact = await createContact({ email: `${firstName.toLowerCase()}@fts.test`, firstName, lastName });
        await Membership.create({ contact: contact._id, memberKey: `contact:${contact._id}`, year: YEAR, category: 'personne-physique', fee: 30, paymentStatus: 'due' });
      }
    },
  });

  it('suggests the category of a city from its population, shows euros, and keeps the row in place after its payment', async function () {
    this.timeout(90_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/memberships/create`);
    await page.getByRole('combobox', { name: 'Organisation' }).fill('Saint-Denis');
    await page.getByRole('option', { name: 'Ville de Saint-Denis' }).click();
    await page.getByRole('status').getByText(/Catégorie suggérée : Collectivité de plus de 100 000 habitants \(Saint-Denis : \d{3} \d{3} habitants\)/).waitFor();
    expect(await page.getByRole('combobox', { name: 'Catégorie' }).textContent()).to.include('Collectivité de plus de 100 000 habitants');
    await screenshot(page, 'membership-create-suggested');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/memberships(\?.*)?$/);

    const rows = page.locator('tbody tr');
    await rows.filter({ hasText: 'Ville de Saint-Denis' }).getByText('1 000 €').waitFor();
    await rows.filter({ hasText: 'Anne Abel' }).getByText('30 €').waitFor();
    const order = async () => (await rows.allTextContents()).map((t) => t.slice(0, 20));
    const before = await order();
    const listViolations = await seriousAxeViolations(page);
    expect(listViolations, describeViolations(listViolations)).to.deep.equal([]);
    const city = rows.filter({ hasText: 'Ville de Saint-Denis' });
    await city.getByRole('button', { name: 'Paiement reçu' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enregistrer le paiement de 1 000 €' });
    await dialog.getByRole('combobox', { name: /Mode de paiement/ }).click();
    await page.getByRole('option', { name: 'Mandat administratif' }).click();
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText(new RegExp(`Paiement enregistré : attestation et reçu n° ${YEAR}-0001 disponibles`)).waitFor();
    await city.getByRole('link', { name: 'Reçu' }).waitFor();
    expect(await order(), 'the paid row stays where it was').to.deep.equal(before);
    await screenshot(page, 'memberships-after-payment');

    await city.getByText('Collectivité de plus de 100 000 habitants').click();
    await page.getByRole('heading', { name: 'Attestation et reçu' }).waitFor();
    await page.locator('.MuiSnackbarContent-message').waitFor({ state: 'detached' });
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await screenshot(page, 'membership-edit-documents');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Reçu (PDF)' }).click();
    const pdf = await download;
    expect(pdf.suggestedFilename()).to.equal(`recu-cotisation-${YEAR}-0001.pdf`);
    const popup = page.waitForEvent('popup');
    await page.getByRole('link', { name: 'Imprimer l’attestation' }).click();
    const certificate = await popup;
    await certificate.getByRole('heading', { name: `Attestation d'adhésion n° ${YEAR}-0001` }).waitFor();
    await certificate.getByRole('button', { name: 'Imprimer' }).waitFor();
    await certificate.getByRole('row', { name: /Montant réglé\s*1 000,00 €/ }).waitFor();
    await certificate.getByRole('row', { name: /Mode de paiement\s*Mandat administratif/ }).waitFor();
    await screenshot(certificate, 'membership-certificate');
    expect(missingTranslations(page)).to.deep.equal([]);
    await certificate.close();
    await page.close();
  });
});
