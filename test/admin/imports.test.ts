import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contact } from '../../server/contacts/contact.model.js';
import { ImportPreset } from '../../server/imports/import.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const CSV = ['Prénom;Nom;Courriel;Territoire', 'Anaïs;Béranger;anais.beranger@cls-lille.fr;59', 'Noël;Ledoux;pas-une-adresse;Hauts-de-France', 'Marc;Petit;marc.petit@ville.fr;93', ''].join('\r\n');

describe('the admin in a browser: the import wizard', () => {
  const suite = useAdminBrowser({ jobs: true });
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-import-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a file with one bad line, shows that line, commits, then undoes', async function () {
    this.timeout(90_000);
    const file = path.join(dir, 'contacts-reseau.csv');
    writeFileSync(file, CSV);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/imports/create`);
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('button', { name: 'Analyser le fichier' }).click();
    await page.waitForURL(/\/admin\/imports\/[a-f0-9]{24}\/show$/);
    await page.getByText(/^Ligne 3/).first().waitFor();
    expect(await page.getByRole('combobox', { name: 'Champ pour la colonne « Courriel »' }).innerText()).to.equal('Adresse e-mail');
    await screenshot(page, 'import-preview');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    expect(await Contact.countDocuments()).to.equal(0);

    await page.getByLabel('Nom du modèle').fill('Fichier réseau');
    await page.getByRole('button', { name: 'Enregistrer la correspondance comme modèle' }).click();
    await page.getByText('Modèle « Fichier réseau » enregistré.').waitFor();
    const preset = await ImportPreset.findOne({ name: 'Fichier réseau' }).lean();
    expect(preset?.columns.find((c) => c.header === 'Courriel')?.field).to.equal('email');

    await page.getByRole('button', { name: 'Importer 2 ligne(s)' }).click();
    await page.getByRole('heading', { name: /— Terminé$/ }).waitFor({ timeout: 30_000 });
    await page.getByText('Créations : 2').waitFor();
    await screenshot(page, 'import-report');
    expect(await Contact.countDocuments({ email: { $in: ['anais.beranger@cls-lille.fr', 'marc.petit@ville.fr'] } })).to.equal(2);

    await page.getByRole('button', { name: "Annuler l'import" }).click();
    await page.getByRole('dialog').getByRole('button', { name: "Annuler l'import" }).click();
    await page.getByRole('heading', { name: /— Annulé$/ }).waitFor({ timeout: 30_000 });
    expect(await Contact.countDocuments()).to.equal(0);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
