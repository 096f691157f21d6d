import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { Outbox } from '../../server/delivery/outbox.model.js';
import { List } from '../../server/lists/list.model.js';
import { createNews } from '../../server/news/news.service.js';
import { createSubscription } from '../../server/subscriptions/subscription.service.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: the newsletter review', () => {
  const suite = useAdminBrowser({ jobs: true, seed });
  async function seed() {
    const list = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
    for (const email of ['lectrice@fts.test', 'lecteur@fts.test']) {
      const contact = await createContact({ email });
      await createSubscription({ contact: String(contact._id), list: String(list._id) });
    }
    await createNews({ title: 'Rencontre nationale des coordinations ASV', category: 'evenements', publishedAt: new Date(), url: 'https://fts.test/rencontre' });
    await createNews({ title: 'Rapport sur la santé mentale des jeunes', category: 'avis-rapports', publishedAt: new Date(), url: 'https://fts.test/rapport' });
  }

  it("compiles this month's newsletter and previews it at desktop and mobile width, and as text", async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/newsletters`);
    await page.getByRole('button', { name: 'Compiler un mois' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Compiler' }).click();
    await page.waitForURL(/\/admin\/newsletters\/[a-f0-9]{24}\/show$/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const desktop = page.frameLocator('iframe[title="Aperçu de la lettre sur ordinateur"]');
    const mobile = page.frameLocator('iframe[title="Aperçu de la lettre sur mobile"]');
    await desktop.getByText('Rencontre nationale des coordinations ASV').first().waitFor();
    await mobile.getByText('Rapport sur la santé mentale des jeunes').first().waitFor();
    expect(await page.locator('iframe[title="Aperçu de la lettre sur mobile"]').getAttribute('sandbox')).to.equal('');
    expect(await page.getByRole('list', { name: 'Actualités de la lettre' }).getByRole('listitem').count()).to.equal(2);
    await screenshot(page, 'newsletter-review');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);

    await page.getByRole('tab', { name: 'Texte' }).click();
    await page.getByLabel('Version texte').getByText(/Rencontre nationale des coordinations ASV/).waitFor();
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('leaves an item out, saves, and approves the issue', async function () {
    this.timeout(60_000);
    const issue = await Newsletter.findOne().lean();
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/newsletters/${issue!._id}/show`);
    await page.getByRole('button', { name: 'Retirer « Rapport sur la santé mentale des jeunes »' }).click();
    await page.getByLabel('Actions de la Fabrique ce mois-ci').fill('Ce mois-ci, la Fabrique était à Lille.');
    await page.getByRole('button', { name: 'Enregistrer et recompiler' }).click();
    await page.getByText('Lettre mise à jour.').waitFor();
    await page.frameLocator('iframe[title="Aperçu de la lettre sur ordinateur"]').getByText('Ce mois-ci, la Fabrique était à Lille.').first().waitFor();
    await page.getByRole('button', { name: 'Approuver' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText(/liste « Lettre mensuelle », sans segment — 2 destinataires/).waitFor();
    await confirm.getByRole('button', { name: 'Approuver' }).click();
    await page.getByText('Approuvée', { exact: true }).waitFor();
    const saved = await Newsletter.findById(issue!._id).lean();
    expect(saved?.status).to.equal('approved');
    expect(saved?.excluded.map(String)).to.have.length(1);
    await page.close();
  });

  it('shows a board member the review without any action button', async () => {
    const issue = await Newsletter.findOne().lean();
    const page = await pageAs(suite.browser, suite.server, 'board');
    await page.goto(`${suite.server.url}/admin/newsletters/${issue!._id}/show`);
    await page.frameLocator('iframe[title="Aperçu de la lettre sur ordinateur"]').getByText('Rencontre nationale des coordinations ASV').first().waitFor();
    expect(await page.getByRole('button', { name: /Envoyer|Approuver|Programmer|brouillon/ }).count()).to.equal(0);
    await page.close();
  });

  it('sends the approved issue and follows its progress to the final figures', async function () {
    this.timeout(90_000);
    const issue = await Newsletter.findOne().lean();
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/newsletters/${issue!._id}/show`);
    await page.getByRole('button', { name: 'Envoyer maintenant' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText(/^Envoi terminé : 2 envoyé\(s\), 0 échec\(s\), 0 restant\(s\) sur 2/).waitFor({ timeout: 60_000 });
    await page.getByText('Envoyée', { exact: true }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'newsletter-sent');
    expect(await Outbox.countDocuments({ stream: 'bulk', to: { $in: ['lectrice@fts.test', 'lecteur@fts.test'] } })).to.equal(2);
    await page.close();
  });
});
