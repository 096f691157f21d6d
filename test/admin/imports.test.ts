import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contact } from '../../server/contacts/contact.model.js';
import { ImportPreset } from '../../server/imports/import.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { createOrganisation } from '../../server/organisations/organisation.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';
import { readFileSync } from 'node:fs';
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

  it('maps a real spreadsheet\'s values in the wizard, commits, is reopened from the list with its report, errors file and undo', async function () {
    this.timeout(150_000);
    await createOrganisation({ name: 'Mairie de Valence', type: 'commune', territory: 'commune-26362' });
    const file = path.join(dir, 'reseau-sante-2025-excel.csv');
    writeFileSync(file, readFileSync(new URL('../../fixtures/imports/reseau-sante-2025-excel.csv', import.meta.url)));
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/imports/create`);
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('button', { name: 'Analyser le fichier' }).click();
    await page.waitForURL(/\/admin\/imports\/[a-f0-9]{24}\/show$/);
    const id = /imports\/([a-f0-9]{24})\/show/.exec(page.url())![1];
    await page.getByRole('heading', { name: 'Valeurs trouvées dans le fichier' }).waitFor();
    const functions = page.getByRole('table', { name: 'Valeurs : Fonctions' });
    expect(await functions.getByRole('row', { name: /^Coordinatrice ASV 2/ }).innerText()).to.contain('Coordonnateur·rice ASV');
    expect(await page.getByRole('table', { name: 'Organisations absentes de la base' }).getByRole('row', { name: /Ville de Valence/ }).innerText()).to.contain('Rattacher à « Mairie de Valence »');

    // "Nutrition" (unknown) goes to the existing theme "Alimentation"; "Médecin généraliste" becomes a new function
    await page.getByRole('combobox', { name: 'Décision pour « Nutrition » (Thématiques)' }).click();
    await page.getByRole('option', { name: 'Alimentation', exact: true }).click();
    await page.getByText('Décision appliquée, aperçu mis à jour.').first().waitFor();
    await page.getByRole('combobox', { name: 'Décision pour « Médecin généraliste » (Fonctions)' }).click();
    await page.getByRole('option', { name: 'Créer « Médecin généraliste »' }).click();
    await page.getByText('Valeurs de liste à créer : 1').waitFor();
    expect(await page.getByRole('combobox', { name: 'Décision pour « Nutrition » (Thématiques)' }).innerText()).to.equal('Alimentation');
    await screenshot(page, 'import-values');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Importer 31 ligne(s)' }).click();
    await page.getByRole('heading', { name: /— Terminé$/ }).waitFor({ timeout: 60_000 });
    const alimentation = await Theme.findOne({ code: 'alimentation' }).lean();
    const karim = await Contact.findOne({ email: 'k.benali@saintdenis.re' }).lean();
    expect(karim!.themes.map(String)).to.deep.equal([String(alimentation!._id)]);
    expect(await Contact.findOne({ email: 'paul.girard@cabinet-girard.fr' }).lean()).to.include({ function: 'medecin-generaliste' });

    // leave, then reopen it from the list
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.getByRole('heading', { name: /Contacts/ }).first().waitFor();
    await page.goto(`${suite.server.url}/admin/imports`);
    await page.getByText('reseau-sante-2025-excel.csv').first().click();
    await page.waitForURL(new RegExp(`/admin/imports/${id}/show$`));
    await page.getByRole('heading', { name: /— Terminé$/ }).waitFor();
    await page.getByRole('region', { name: 'Réglages de l’import' }).waitFor();
    await page.getByText('Créations : 31').waitFor();
    expect(await page.getByRole('table', { name: 'Valeurs : Thématiques' }).getByRole('row', { name: /^Nutrition/ }).innerText()).to.contain('Alimentation');
    await page.getByText(/Ligne 30 du tableur \(ligne 31 du fichier texte\)/).first().waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Télécharger les lignes en erreur (CSV)' }).click();
    const errors = readFileSync((await (await downloading).path())!, 'utf8');
    expect(errors).to.contain('Ligne du tableur;Ligne du fichier texte;Motif');
    expect(errors).to.contain('adresse-invalide@');
    await screenshot(page, 'import-reopened');

    await page.getByRole('button', { name: "Annuler l'import" }).click();
    await page.getByRole('dialog').getByRole('button', { name: "Annuler l'import" }).click();
    await page.getByRole('heading', { name: /— Annulé$/ }).waitFor({ timeout: 60_000 });
    expect(await Contact.countDocuments()).to.equal(0);
    expect(await Vocabulary.countDocuments({ kind: 'functions', code: 'medecin-generaliste' })).to.equal(0);
    expect(await Organisation.countDocuments()).to.equal(1); // the one that existed before
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
