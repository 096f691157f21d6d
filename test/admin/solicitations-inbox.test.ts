import { expect } from 'chai';
import { News } from '../../server/news/news.model.js';
import { AnswerTemplate, Solicitation } from '../../server/solicitations/solicitation.model.js';
import { startDovecot } from '../delivery/dovecot.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { deliverTo, mail } from '../solicitations/mail-fixtures.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: requests that arrive by e-mail', () => {
  let smtp: SmtpReceiver;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  const env: Record<string, string> = {};
  before(async () => {
    smtp = await startSmtpReceiver();
    dovecot = await startDovecot('contact');
    Object.assign(env, { SMTP_URL: smtp.url, CONTACT_IMAP_URL: dovecot.url, CONTACT_FROM: 'Fabrique Territoires Santé <contact@fts.test>' });
  });
  after(async () => {
    await smtp.close();
    await dovecot.stop();
  });
  const suite = useAdminBrowser({
    env,
    seed: async () => {
      await AnswerTemplate.create({ name: 'Ressources sur les CLS', body: 'Bonjour,\n\nVoici notre dossier ressources sur les contrats locaux de santé.\n\nBien cordialement,' });
      await deliverTo(
        dovecot,
        mail({ from: 'Nadia Haddad <n.haddad@ville-exemple.fr>', subject: 'Ressources sur les CLS', body: 'Bonjour, auriez-vous des ressources sur les CLS ?', messageId: 'cls-1@ville-exemple.fr' }),
        mail({ from: 'Paul Martin <paul.martin@ars-exemple.fr>', subject: 'Offre d’emploi : coordinateur CLSM', body: 'Nous recrutons un coordinateur CLSM (CDD). Fiche de poste : https://ars-exemple.fr/offre-clsm', messageId: 'offre-2@ars-exemple.fr' }),
      );
    },
  });

  it('reads the mailbox, answers a request with a template, and publishes a job offer as news', async function () {
    this.timeout(120_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const failures: string[] = [];
    page.on('response', (r) => r.url().includes('/api/') && r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));

    await page.goto(`${suite.server.url}/admin/solicitations`);
    await page.getByRole('button', { name: 'Relever la boîte mail' }).click();
    await page.getByText('Boîte relevée : 2 nouvelle(s) demande(s)').waitFor();
    await page.getByRole('status').getByText('2 non lue(s)').waitFor();
    await screenshot(page, 'solicitations-inbox-list');

    await page.getByRole('row').filter({ hasText: 'Ressources sur les CLS' }).click();
    await page.getByRole('article', { name: /Message reçu/ }).getByText('auriez-vous des ressources sur les CLS ?').waitFor();
    await page.getByRole('combobox', { name: 'Modèle de réponse' }).click();
    await page.getByRole('option', { name: 'Ressources sur les CLS' }).click();
    expect(await page.getByLabel('Votre réponse').inputValue()).to.contain('dossier ressources');
    await page.getByLabel('Temps passé (minutes, facultatif)').fill('15');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await screenshot(page, 'solicitation-conversation');
    await page.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await page.getByText('Réponse envoyée à n.haddad@ville-exemple.fr').waitFor();
    await page.getByRole('article', { name: /Réponse envoyée/ }).waitFor();
    const [answer] = await smtp.waitFor(1, (m) => m.rcptTo.includes('n.haddad@ville-exemple.fr'));
    const request = (await Solicitation.findOne({ subject: 'Ressources sur les CLS' }).lean())!;
    expect(answer.parsed!.subject).to.equal(`Re: Ressources sur les CLS [${request.reference}]`);
    expect(request).to.include({ status: 'answered', timeSpentMinutes: 15, unread: false });

    await page.goto(`${suite.server.url}/admin/solicitations`);
    await page.getByRole('row').filter({ hasText: 'coordinateur CLSM' }).click();
    await page.getByText('Suggestion d’après le message : type « Relais d\'offre d\'emploi »').waitFor();
    await page.getByRole('button', { name: 'Publier en actualité' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publier en actualité' });
    expect(await dialog.getByLabel('Lien (facultatif)').inputValue()).to.equal('https://ars-exemple.fr/offre-clsm');
    await dialog.getByLabel('Titre').fill('La ville recrute un coordinateur CLSM');
    await screenshot(page, 'solicitation-publish-news');
    await dialog.getByRole('button', { name: 'Publier' }).click();
    await page.getByText('Actualité publiée ; le demandeur est prévenu par e-mail.').waitFor();
    await page.getByRole('link', { name: 'voir l’actualité' }).waitFor();
    const news = await News.findOne({ title: 'La ville recrute un coordinateur CLSM' }).lean();
    expect(news).to.include({ url: 'https://ars-exemple.fr/offre-clsm' });
    await smtp.waitFor(1, (m) => m.rcptTo.includes('paul.martin@ars-exemple.fr'));

    expect(failures).to.deep.equal([]);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
