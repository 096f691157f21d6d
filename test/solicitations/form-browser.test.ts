import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { Contact } from '../../server/contacts/contact.model.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { CHROMIUM, describeViolations, seriousAxeViolations } from '../admin/browser.js';
import { resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('public solicitation form in a real browser', () => {
  let server: TestServer;
  let context: BrowserContext;
  let profile: string;
  before(async function () {
    this.timeout(60_000);
    await resetDatabase();
    server = await startTestServer();
    profile = mkdtempSync(path.join(os.tmpdir(), 'maillage-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      locale: 'fr-FR',
    });
    context.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server.close();
  });

  it('is filled through its labels, sent with the keyboard, and passes axe', async function () {
    this.timeout(60_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sollicitation`);
    expect(describeViolations(await seriousAxeViolations(page))).to.equal('');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('ines.belkacem@exemple.fr');
    await page.getByLabel('Prénom').fill('Inès');
    await page.getByLabel('Nom', { exact: true }).fill('Belkacem');
    await page.getByLabel('Vous êtes').selectOption({ label: 'Collectivité' });
    await page.getByLabel('Objet de la demande (obligatoire)').selectOption({ label: 'Collaboration / appui' });
    await page.getByLabel('Territoire').fill('Échirolles');
    await page.getByLabel('Message (obligatoire)').fill("Nous préparons un CLSM et souhaitons échanger avec la Fabrique sur la méthode.");
    await page.getByRole('button', { name: 'Envoyer ma demande' }).press('Enter');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Demande envoyée');
    const contact = await Contact.findOne({ email: 'ines.belkacem@exemple.fr' }).lean();
    const stored = await Solicitation.findOne({ requester: contact!._id }).lean();
    expect(stored).to.include({ type: 'collaboration', requesterType: 'collectivite', territory: 'commune-38151', status: 'new' });
    await page.close();
  });

  it('shows an error that names the field, announced and linked to it, and passes axe', async function () {
    this.timeout(60_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/sollicitation`);
    // What a browser without form validation would send: no e-mail.
    await page.evaluate(() => document.querySelectorAll('[required]').forEach((element) => element.removeAttribute('required')));
    await page.getByLabel('Objet de la demande (obligatoire)').selectOption({ label: 'Presse' });
    await page.getByLabel('Message (obligatoire)').fill('Demande sans adresse e-mail, pour voir.');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).to.equal('Le champ « Adresse e-mail » est obligatoire.');
    expect(await page.getByLabel('Adresse e-mail (obligatoire)').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Message (obligatoire)').inputValue()).to.equal('Demande sans adresse e-mail, pour voir.');
    expect(describeViolations(await seriousAxeViolations(page))).to.equal('');
    await page.close();
  });
});
