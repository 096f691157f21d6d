import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { List } from '../../server/lists/list.model.js';
import { Segment } from '../../server/segments/segment.model.js';
import { createSubscription } from '../../server/subscriptions/subscription.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { Client } from '../helpers.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const NORD = ['aline.nord@fts.test', 'bastien.nord@fts.test', 'celia.nord@fts.test'];

describe('the admin in a browser: a targeted mailing from the contact list to its figures', () => {
  let smtp: SmtpReceiver;
  before(async () => {
    smtp = await startSmtpReceiver();
  });
  const suite = useAdminBrowser({
    jobs: true,
    get env() {
      return { SMTP_URL: smtp.url };
    },
    seed,
  });
  after(async () => {
    closeMailers(suite.server.ctx.config);
    await smtp.close();
  });

  async function seed() {
    const list = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
    const people = [
      ...NORD.map((email) => ({ email, territory: 'commune-59350' })),
      { email: 'paul.paris@fts.test', territory: 'commune-75056' },
    ];
    for (const { email, territory } of people) {
      const [first, last] = email.split('@')[0].split('.');
      const contact = await createContact({ email, firstName: first[0].toUpperCase() + first.slice(1), lastName: last.toUpperCase(), territories: [territory] });
      await createSubscription({ contact: String(contact._id), list: String(list._id) });
    }
  }

  it('saves the contact list filters as a segment, writes a campaign to it, tests, approves, sends and reads the clicks per link', async function () {
    this.timeout(180_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const base = suite.server.url;

    // 1. the contact list, filtered on the Nord département, saved as a segment
    await page.goto(`${base}/admin/contacts`);
    await page.getByRole('cell', { name: 'paul.paris@fts.test' }).waitFor();
    await page.getByRole('button', { name: 'Ajouter un filtre' }).click();
    await page.getByRole('menu').getByText('Territoires', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Territoires' }).fill('Nord');
    await page.getByRole('option', { name: /^Nord\b/ }).first().click();
    await page.getByRole('cell', { name: 'paul.paris@fts.test' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Enregistrer comme segment' }).click();
    await page.getByRole('dialog').getByLabel('Nom du segment').fill('Coordinations du Nord');
    await page.getByRole('dialog').getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/segments\/[a-f0-9]{24}$/);
    await page.getByText('3 contact(s) correspondent').waitFor();
    const segment = (await Segment.findOne({ name: 'Coordinations du Nord' }).lean())!;
    expect(segment.filter).to.have.property('territories').that.has.length(1);

    // 2. "Créer un envoi ciblé" from the segment: the form opens with the segment chosen
    await page.getByRole('button', { name: 'Créer un envoi ciblé' }).click();
    await page.waitForURL(/\/admin\/campaigns\/create/);
    await page.getByLabel('Objet').first().fill('Journée régionale, {{prenom|collègue}}');
    await page.getByRole('combobox', { name: 'Liste' }).click();
    await page.getByRole('option', { name: 'Lettre mensuelle' }).click();
    await page.getByRole('combobox', { name: 'Segment (facultatif)' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Segment (facultatif)' }).inputValue()).to.equal('Coordinations du Nord');
    // the body written with the toolbar: a heading, bold, a list, a link, an image and a button, as Markdown
    const body = page.getByLabel('Texte du message');
    const toolbar = page.getByRole('toolbar', { name: 'Mise en forme du message' });
    const select = (start: number, end: number) => body.evaluate((area: HTMLTextAreaElement, [a, b]) => area.setSelectionRange(a, b), [start, end]);
    const insert = async (tool: string, text: string, url: string) => {
      await toolbar.getByRole('button', { name: tool }).click();
      const dialog = page.getByRole('dialog', { name: tool });
      await dialog.getByRole('textbox').first().fill(text);
      await dialog.getByLabel('Adresse (https://…)').fill(url);
      await dialog.getByRole('button', { name: /^Insérer/ }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    await body.fill('Journée régionale\n\nBonjour {{prenom}},\n\nateliers le matin\nplénière l’après-midi\n\nLe ');
    // A tool gives the focus and the new selection back to the text at the next frame: wait for it.
    const format = async (tool: string) => {
      await toolbar.getByRole('button', { name: tool }).click();
      await page.waitForFunction(() => document.activeElement?.id === 'campaign-body');
    };
    await select(0, 0);
    await format('Titre');
    await select(22, 29); // "Bonjour"
    await format('Gras');
    await select(47, 86); // the two lines
    await format('Liste à puces');
    await body.press('Control+End');
    await insert('Insérer un lien', 'programme de la journée', 'https://fts.test/programme');
    await insert('Insérer une image', 'Affiche de la journée', 'https://fts.test/affiche.png');
    await insert('Insérer un bouton', 'Je m’inscris', 'https://fts.test/inscription');
    expect(await body.inputValue()).to.equal(
      '## Journée régionale\n\n**Bonjour** {{prenom}},\n\n- ateliers le matin\n- plénière l’après-midi\n\nLe [programme de la journée](https://fts.test/programme)\n\n![Affiche de la journée](https://fts.test/affiche.png)\n\n[[Je m’inscris]](https://fts.test/inscription)\n',
    );
    // the live preview renders it as the e-mail will be, with sample personal values
    const live = page.frameLocator('iframe[title="Aperçu en direct du message"]');
    await live.getByRole('heading', { name: 'Journée régionale' }).waitFor();
    await live.getByText('Camille', { exact: false }).first().waitFor();
    await live.getByRole('listitem').filter({ hasText: 'ateliers le matin' }).waitFor();
    await live.getByRole('link', { name: 'programme de la journée' }).waitFor();
    await live.getByRole('img', { name: 'Affiche de la journée' }).waitFor();
    await live.getByRole('link', { name: 'Je m’inscris' }).waitFor();
    await screenshot(page, 'campaign-editor');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/campaigns\/[a-f0-9]{24}\/show$/);

    // 3. the count before approval, the preview, a test
    await page.getByTestId('audience-count').getByText('3 destinataires').waitFor();
    await page.getByText('segment : Coordinations du Nord').first().waitFor();
    await page.getByText('base légale : Consentement (abonné·es de la liste)').waitFor();
    await page.frameLocator('iframe[title="Aperçu du message sur ordinateur"]').getByText('Bonjour Camille,').waitFor();
    await screenshot(page, 'campaign-draft');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await page.getByLabel('Envoyer un test à (adresses séparées par des virgules)').fill('relecture@fts.test');
    await page.getByRole('button', { name: 'Envoyer le test' }).click();
    const [test] = await smtp.waitFor(1, (m) => m.rcptTo[0] === 'relecture@fts.test', 20_000);
    expect(test.parsed!.subject).to.equal('[Essai] Journée régionale, collègue');

    // 4. approve: the confirmation names the list, the segment and the count
    await page.getByRole('button', { name: 'Approuver' }).click();
    await page.getByRole('dialog').getByText(/liste « Lettre mensuelle », segment « Coordinations du Nord » — 3 destinataires/).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Approuver' }).click();
    await page.getByText('Approuvé', { exact: true }).waitFor();

    // 5. send: "Envoyer à 3 destinataires", then the progress to the end
    await page.getByRole('button', { name: 'Envoyer maintenant' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Envoyer à 3 destinataires ?' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Envoyer à 3 destinataires' }).click();
    await page.getByText(/^Envoi terminé : 3 envoyé\(s\), 0 échec\(s\), 0 restant\(s\) sur 3/).waitFor({ timeout: 60_000 });
    await page.getByText('Envoyé', { exact: true }).waitFor({ timeout: 30_000 });
    const mails = await smtp.waitFor(3, (m) => m.parsed?.subject?.startsWith('Journée régionale, ') ?? false);
    expect(mails.map((m) => m.rcptTo[0]).sort()).to.deep.equal(NORD);

    // 6. two readers click the programme: the page shows 2 clicks on that link, nobody's name
    const programme = /href="http:\/\/maillage\.test(\/l\/[^"]+)"[^>]*>programme de la journée/.exec(mails[0].parsed!.html as string)![1];
    const reader = new Client(base);
    expect((await reader.get(programme)).headers.get('location')).to.equal('https://fts.test/programme');
    await reader.get(programme);
    await page.reload();
    const clicks = page.getByRole('table', { name: 'Clics par lien' });
    await clicks.getByRole('row', { name: /programme de la journée.*\b2$/ }).waitFor();
    await clicks.getByRole('row', { name: /Je m’inscris.*\b0$/ }).waitFor();
    await page.getByText('Remis').waitFor();
    await screenshot(page, 'campaign-sent');
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('lists the campaigns, shows their figures on the dashboard and segments with their counts', async function () {
    this.timeout(60_000);
    const page = await pageAs(suite.browser, suite.server, 'board');
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByRole('table', { name: 'Derniers envois ciblés' }).getByRole('row', { name: /Journée régionale.*\b3\b.*\b3\b.*\b2$/ }).waitFor();
    await page.goto(`${suite.server.url}/admin/campaigns`);
    await page.getByRole('cell', { name: 'Journée régionale, {{prenom|collègue}}' }).waitFor();
    await page.goto(`${suite.server.url}/admin/segments`);
    await page.getByRole('row', { name: /Coordinations du Nord.*3/ }).waitFor();
    await page.close();
  });
});
