import { expect } from 'chai';
import { Campaign } from '../../server/campaigns/campaign.model.js';
import { Outbox } from '../../server/delivery/outbox.model.js';
import { Segment } from '../../server/segments/segment.model.js';
import { Event, Registration } from '../../server/events/event.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: an event from its creation to its figures', () => {
  const suite = useAdminBrowser();

  it('creates an event, registers through the public page, checks in on a phone, sends the evaluation and reads the figures', async function () {
    this.timeout(180_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const failures: string[] = [];
    page.on('response', (r) => r.url().includes('/api/') && r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));

    // 1. staff create the event
    await page.goto(`${suite.server.url}/admin/events/create`);
    await page.getByLabel('Titre').fill('Rencontre régionale Hauts-de-France');
    await page.getByRole('combobox', { name: 'Type' }).click();
    await page.getByRole('option', { name: 'Rencontre régionale' }).click();
    await page.getByLabel(/^Début/).fill('2027-06-10T14:00');
    await page.getByLabel(/^Fin/).fill('2027-06-10T17:30');
    await page.getByLabel('Lieu').fill('Lille, Maison régionale de la promotion de la santé');
    await page.getByLabel('Capacité').fill('98');
    await page.getByRole('button', { name: 'Ajouter' }).nth(1).click();
    await page.getByLabel(/^Question/).fill("L'organisation");
    const createViolations = await seriousAxeViolations(page);
    expect(createViolations, describeViolations(createViolations)).to.deep.equal([]);
    await screenshot(page, 'event-create');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/events\/[a-f0-9]{24}\/show$/);
    const event = await Event.findOne({ title: 'Rencontre régionale Hauts-de-France' }).lean();
    expect(event).to.include({ kind: 'rencontre-regionale', start: '2027-06-10T14:00', capacity: 98 });
    expect(event!.startsAt.toISOString()).to.equal('2027-06-10T12:00:00.000Z');
    expect(event!.evaluationQuestions.map((q) => q.label)).to.deep.equal(["L'organisation"]);
    const publicLink = page.getByRole('link', { name: /\/rencontres\// });
    expect(await publicLink.textContent()).to.contain(`/rencontres/${event!.slug}`);

    // 2. someone registers through the public page (no JavaScript needed)
    const visitor = await suite.browser.context.newPage();
    await visitor.goto(`${suite.server.url}/rencontres/${event!.slug}`);
    await visitor.getByLabel('Adresse e-mail (obligatoire)').fill('samia.bouzid@exemple.fr');
    await visitor.getByLabel('Prénom (obligatoire)').fill('Samia');
    await visitor.getByLabel('Nom (obligatoire)', { exact: true }).fill('Bouzid');
    await visitor.getByLabel('Structure', { exact: true }).fill('Ville de Roubaix');
    await visitor.getByLabel('Type de structure').selectOption('commune');
    await visitor.getByLabel("Territoire d'intervention").fill('59100');
    await visitor.getByRole('button', { name: "M'inscrire" }).click();
    await visitor.getByText("Merci, votre demande d'inscription").waitFor();
    await screenshot(visitor, 'event-public-registered');
    await visitor.close();
    expect(await Registration.countDocuments({ event: event!._id, status: 'registered' })).to.equal(1);

    // 3. check-in on a phone-sized screen
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.server.url}/admin/rencontres/${event!._id}/emargement`);
    await page.getByText('0 présent·es sur 1 inscrit·es').waitFor();
    await page.getByLabel('Rechercher un nom ou une structure').fill('bouz');
    await page.getByRole('button', { name: 'Samia Bouzid : marquer présent·e' }).click();
    await page.getByText('1 présent·es sur 1 inscrit·es').waitFor();
    const checkInViolations = await seriousAxeViolations(page);
    expect(checkInViolations, describeViolations(checkInViolations)).to.deep.equal([]);
    await screenshot(page, 'event-check-in-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    expect((await Registration.findOne({ email: 'samia.bouzid@exemple.fr' }).lean())!.attendance).to.equal('present');

    // 4. after the event: the evaluation questionnaire
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${suite.server.url}/admin/events/${event!._id}/show/suites`);
    await page.getByRole('button', { name: "Envoyer le questionnaire d'évaluation" }).click();
    await page.getByText("Questionnaire d'évaluation envoyé à 1 personne(s).").waitFor();
    expect(await Outbox.countDocuments({ to: 'samia.bouzid@exemple.fr', subject: 'Votre avis sur « Rencontre régionale Hauts-de-France »' })).to.equal(1);

    // 5. the proceedings: a segment of the participants, then a targeted mailing to it
    await page.getByRole('button', { name: 'Créer un segment des participant·es' }).click();
    await page.getByText('Segment « Participant·es — Rencontre régionale Hauts-de-France » créé (1 contacts).').waitFor();
    await page.waitForURL(/\/admin\/segments\/[a-f0-9]{24}$/);
    await page.getByText('1 contact(s) correspondent').waitFor();
    const segment = (await Segment.findOne({ name: 'Participant·es — Rencontre régionale Hauts-de-France' }).lean())!;
    expect(segment.filter).to.deep.include({ events: [String(event!._id)], eventAttendance: 'present' });
    await page.getByRole('button', { name: 'Créer un envoi ciblé' }).click();
    await page.waitForURL(/\/admin\/campaigns\/create/);
    await page.getByLabel('Objet').first().fill('Les actes de la rencontre régionale');
    await page.getByRole('radio', { name: /^Informations du réseau/ }).check();
    expect(await page.getByRole('combobox', { name: 'Segment (facultatif)' }).inputValue()).to.equal('Participant·es — Rencontre régionale Hauts-de-France');
    await page.getByLabel('Texte du message').fill('Bonjour {{prenom}},\n\nLes [actes de la rencontre](https://fts.test/actes) sont en ligne.');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/admin\/campaigns\/[a-f0-9]{24}\/show$/);
    await page.getByTestId('audience-count').getByText('1 destinataire').waitFor();
    const campaign = (await Campaign.findOne({ subject: 'Les actes de la rencontre régionale' }).lean())!;
    expect(String(campaign.segment)).to.equal(String(segment._id));

    // or straight from the event page, to the registrants
    await page.goto(`${suite.server.url}/admin/events/${event!._id}/show/suites`);
    await page.getByRole('button', { name: 'Préparer un envoi ciblé aux inscrit·es' }).click();
    await page.waitForURL(/\/admin\/campaigns\/create$/);
    await page.waitForFunction(() => [...document.querySelectorAll('input')].some((i) => i.value === 'Inscrit·es — Rencontre régionale Hauts-de-France'));

    // 6. the figures
    await page.goto(`${suite.server.url}/admin/events/${event!._id}/show/suites`);
    await page.getByRole('tab', { name: 'Chiffres' }).click();
    await page.getByText('La rencontre régionale « Rencontre régionale Hauts-de-France » (Lille, 10 juin 2027) a rassemblé 1 participant·es, pour 1 inscrit·es.').waitFor();
    await page.getByRole('table', { name: 'Par région' }).getByText('Hauts-de-France').waitFor();
    const figuresViolations = await seriousAxeViolations(page);
    expect(figuresViolations, describeViolations(figuresViolations)).to.deep.equal([]);
    await screenshot(page, 'event-figures');
    expect(failures).to.deep.equal([]);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
