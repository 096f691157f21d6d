import { expect } from 'chai';
import ICAL from 'ical.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { createContact } from '../../server/contacts/contact.service.js';
import mongoose, { Types } from 'mongoose';
import { EventSeat, Registration } from '../../server/events/event.model.js';
import { migration as registrationStatuses } from '../../server/ops/migrations/004-registration-statuses.js';
import { contactIdsForEvent } from '../../server/events/registration.service.js';
import { EVENT_REMINDERS } from '../../jobs/event-reminders.job.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { Client, clientAs, newVisitor, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { eventInput, form, linkIn, parisDayIn } from './helpers.js';

const to = (address: string) => (m: ReceivedMail) => m.rcptTo.includes(address);
const icsOf = (mail: ReceivedMail) => {
  const attachment = mail.parsed!.attachments.find((a) => a.filename === 'rencontre.ics');
  if (!attachment) throw new Error('no .ics attached');
  return attachment;
};

describe('events: public registration, capacity, waiting list, confirmation with .ics, reminder', function () {
  this.timeout(60_000);
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let visitor: Client;
  const register = (slug: string, fields: Record<string, string | string[]>) => visitor.post(`/rencontres/${slug}`, form(fields));

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: true });
    staff = (await clientAs(server, 'staff')).client;
  });
  beforeEach(() => (visitor = newVisitor(server))); // a fresh address: the per-address limits start afresh
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  it('shows a French registration page without JavaScript, with the event’s own questions, and never the visio link', async () => {
    const created = await staff.post('/api/events', eventInput({
      title: 'Webinaire santé mentale',
      kind: 'webinaire',
      place: '',
      visioUrl: 'https://visio.example.org/salle-secrete',
      questions: [
        { label: 'Atelier choisi', kind: 'choice', choices: ['Atelier A', 'Atelier B'], required: true },
        { label: 'Repas sur place', kind: 'yesno' },
      ],
    }));
    expect(created.status, created.text).to.equal(201);
    expect(created.body.slug).to.match(/^webinaire-sante-mentale-20\d\d$/);
    expect(created.body.questions.map((q: { key: string }) => q.key)).to.deep.equal(['atelier-choisi', 'repas-sur-place']);
    const page = await visitor.get(`/rencontres/${created.body.slug}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<html lang="fr">').and.contain(`method="post" action="/rencontres/${created.body.slug}"`);
    expect(page.text).to.contain('Atelier choisi (obligatoire)').and.contain('value="Atelier B"').and.contain('name="q_repas-sur-place"');
    expect(page.text).to.contain('le lien est envoyé aux personnes inscrites').and.not.contain('salle-secrete');
    expect(page.text).not.to.contain('<script');
    expect((await visitor.get('/rencontres/aucune-rencontre')).status).to.equal(404);

    const missing = await register(created.body.slug, { email: 'a@exemple.fr', firstName: 'A', lastName: 'B' });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('« Atelier choisi » : réponse obligatoire.').and.contain('value="a@exemple.fr"');
    const badTerritory = await register(created.body.slug, { email: 'a@exemple.fr', firstName: 'A', lastName: 'B', 'q_atelier-choisi': 'Atelier A', territory: 'Atlantide' });
    expect(badTerritory.status).to.equal(400);
    expect(badTerritory.text).to.contain('Territoire : commune, code postal ou département introuvable.');
    const badChoice = await register(created.body.slug, { email: 'a@exemple.fr', firstName: 'A', lastName: 'B', 'q_atelier-choisi': 'Atelier Z' });
    expect(badChoice.text).to.contain('« Atelier choisi » : choisissez une des réponses proposées.');
    const badYesNo = await register(created.body.slug, { email: 'a@exemple.fr', firstName: 'A', lastName: 'B', 'q_atelier-choisi': 'Atelier A', 'q_repas-sur-place': 'peut-être' });
    expect(badYesNo.status).to.equal(400);
    expect(badYesNo.text).to.contain('« Repas sur place » : répondez oui ou non.').and.contain('name="q_repas-sur-place" id="q_repas-sur-place-0" value="oui"');
    expect(await Registration.countDocuments({})).to.equal(0);

    // answers are stored with the registration, exported, and counted in the figures
    const answers = [['Atelier A', 'oui'], ['Atelier B', 'oui'], ['Atelier A', 'non'], ['Atelier A', '']];
    for (const [i, [workshop, lunch]] of answers.entries()) {
      const reply = await register(created.body.slug, { email: `q${i}@exemple.fr`, firstName: `Q${i}`, lastName: 'Réponses', 'q_atelier-choisi': workshop, 'q_repas-sur-place': lunch });
      expect(reply.status, reply.text).to.equal(200);
    }
    expect((await Registration.findOne({ email: 'q1@exemple.fr' }).lean())!.answers).to.deep.equal([{ key: 'atelier-choisi', value: 'Atelier B' }, { key: 'repas-sur-place', value: 'oui' }]);
    const figures = (await staff.get(`/api/events/${created.body.id}/figures`)).body;
    expect(figures.questions).to.deep.equal([
      { key: 'atelier-choisi', label: 'Atelier choisi', kind: 'choice', answers: 4, options: [{ value: 'Atelier A', label: 'Atelier A', count: 3, share: 75 }, { value: 'Atelier B', label: 'Atelier B', count: 1, share: 25 }] },
      { key: 'repas-sur-place', label: 'Repas sur place', kind: 'yesno', answers: 3, options: [{ value: 'oui', label: 'Oui', count: 2, share: 66.7 }, { value: 'non', label: 'Non', count: 1, share: 33.3 }] },
    ]);
    const exported = await staff.get(`/api/events/${created.body.id}/registrations.csv`);
    expect(exported.status).to.equal(200);
    expect(exported.headers.get('content-disposition')).to.contain(`inscriptions-${created.body.slug}.csv`);
    const rows = exported.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).to.match(/^Nom;Prénom;E-mail;.*;Atelier choisi;Repas sur place$/);
    expect(rows).to.have.length(5);
    expect(rows[3]).to.match(/^Réponses;Q2;q2@exemple\.fr;.*;Inscrit·e;;\d\d\/\d\d\/\d{4} \d\d:\d\d;Atelier A;non$/);
  });

  it('creates a new contact with the source « inscription à … », and mails a confirmation with the visio link and a valid .ics in Paris time across the DST change', async () => {
    // 28 March 2027 is the last Sunday of March: Paris moves from UTC+1 to UTC+2 at 02:00.
    const saturday = (await staff.post('/api/events', eventInput({ title: 'Journée ASV', kind: 'journee-echanges', start: '2027-03-27T10:00', end: '2027-03-27T16:30', visioUrl: 'https://visio.example.org/asv' }))).body;
    const sunday = (await staff.post('/api/events', eventInput({ title: 'Matinée CLS', kind: 'formation', start: '2027-03-28T10:00', end: '2027-03-28T12:00' }))).body;
    expect(saturday.startsAt).to.equal('2027-03-27T09:00:00.000Z');
    expect(sunday.startsAt).to.equal('2027-03-28T08:00:00.000Z');
    for (const event of [saturday, sunday]) {
      const reply = await register(event.slug, { email: 'Nadia.Benali@Exemple.fr', firstName: 'Nadia', lastName: 'Benali', organisationName: 'Ville de Saint-Denis', organisationType: 'commune', function: 'coordo-asv', territory: '93200', dispositifs: ['asv', 'cls'], accessibilityNeeds: 'Boucle magnétique' });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.text).to.contain("Merci, votre demande d'inscription à « ");
    }
    const contact = await Contact.findOne({ email: 'nadia.benali@exemple.fr' }).lean();
    expect(contact).to.include({ firstName: 'Nadia', lastName: 'Benali', source: 'inscription à Journée ASV', function: 'coordo-asv' });
    expect(contact!.territories).to.deep.equal(['commune-93066']);
    expect(contact!.dispositifs).to.deep.equal(['asv', 'cls']);
    const registration = await Registration.findOne({ event: saturday.id }).lean();
    expect(registration).to.include({ status: 'registered', newContact: true, organisationName: 'Ville de Saint-Denis', accessibilityNeeds: 'Boucle magnétique' });
    expect((await Registration.findOne({ event: sunday.id }).lean())!.newContact).to.equal(false);

    const mails = await smtp.waitFor(2, to('nadia.benali@exemple.fr'));
    const saturdayMail = mails.find((m) => m.parsed!.subject === 'Inscription confirmée : Journée ASV')!;
    expect(saturdayMail.parsed!.text).to.contain('samedi 27 mars 2027, de 10 h à 16 h 30').and.contain('https://visio.example.org/asv');
    expect(saturdayMail.parsed!.text).to.contain('/rencontres/annulation/');
    expect(saturdayMail.parsed!.headers.has('list-unsubscribe')).to.equal(false);
    for (const [mail, start, end] of [
      [saturdayMail, '2027-03-27T09:00:00.000Z', '2027-03-27T15:30:00.000Z'],
      [mails.find((m) => m.parsed!.subject === 'Inscription confirmée : Matinée CLS')!, '2027-03-28T08:00:00.000Z', '2027-03-28T10:00:00.000Z'],
    ] as const) {
      const ics = icsOf(mail);
      expect(ics.contentType).to.equal('text/calendar');
      const calendar = new ICAL.Component(ICAL.parse(ics.content.toString('utf8')));
      for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
      const vevent = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
      expect(vevent.startDate.zone.tzid).to.equal('Europe/Paris');
      expect(vevent.startDate.toJSDate().toISOString()).to.equal(start);
      expect(vevent.endDate.toJSDate().toISOString()).to.equal(end);
      expect(vevent.uid).to.match(/^inscription-[a-f0-9]{24}@maillage\.test$/);
    }
    expect(icsOf(saturdayMail).content.toString()).to.contain('https://visio.example.org/asv');
  });

  it('takes the instants named by shared/API.md (startsAt, endsAt, registrationOpensAt, registrationClosesAt) as well as the Paris wall clock', async () => {
    const created = await staff.post('/api/events', {
      title: 'Webinaire par script',
      kind: 'webinaire',
      startsAt: '2027-03-28T08:00:00Z',
      endsAt: '2027-03-28T10:00:00.000Z',
      registrationOpensAt: '2027-01-01T00:00:00+01:00',
      registrationClosesAt: '2027-03-27T12:00:00Z',
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body).to.include({ start: '2027-03-28T10:00', end: '2027-03-28T12:00', registrationOpens: '2027-01-01T00:00', registrationCloses: '2027-03-27T13:00' });
    expect(created.body).to.include({ startsAt: '2027-03-28T08:00:00.000Z', registrationOpensAt: '2026-12-31T23:00:00.000Z', registrationClosesAt: '2027-03-27T12:00:00.000Z' });
    const bad = await staff.put(`/api/events/${created.body.id}`, { startsAt: 'demain' });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body.error)).to.contain('startsAt');
    // a record read back and sent whole keeps its wall-clock times, which win over the instants
    const whole = await staff.put(`/api/events/${created.body.id}`, { ...created.body, start: '2027-03-28T10:30', startsAt: '2027-03-28T08:00:00.000Z' });
    expect(whole.status, whole.text).to.equal(200);
    expect(whole.body).to.include({ start: '2027-03-28T10:30', startsAt: '2027-03-28T08:30:00.000Z' });
  });

  it('matches a known contact by e-mail without overwriting staff-qualified fields, keeping what was declared on the registration', async () => {
    await createContact({ email: 'claire.roux@exemple.fr', firstName: 'Claire', lastName: '', function: 'elu', territories: ['commune-69123'] });
    const event = (await staff.post('/api/events', eventInput({ title: 'Rencontre régionale ARA', kind: 'rencontre-regionale' }))).body;
    const reply = await register(event.slug, { email: 'CLAIRE.ROUX@exemple.fr', firstName: 'Clara', lastName: 'Roux', function: 'charge-mission', territory: 'Grenoble', dispositifs: 'cls' });
    expect(reply.status).to.equal(200);
    const contacts = await Contact.find({ email: 'claire.roux@exemple.fr' }).lean();
    expect(contacts).to.have.length(1);
    expect(contacts[0]).to.include({ firstName: 'Claire', lastName: 'Roux', function: 'elu', source: 'staff' });
    expect(contacts[0].territories).to.deep.equal(['commune-69123']);
    expect(contacts[0].dispositifs).to.deep.equal(['cls']); // was empty: filled
    const registration = await Registration.findOne({ event: event.id }).lean();
    expect(registration).to.include({ firstName: 'Clara', function: 'charge-mission', territory: 'commune-38185', newContact: false });
  });

  it('answers the same page for an unknown, a known and an already registered address', async () => {
    await createContact({ email: 'connu@exemple.fr', firstName: 'Connu', lastName: 'Déjà' });
    const event = (await staff.post('/api/events', eventInput({ title: 'Journée sans fuite' }))).body;
    const fields = (email: string) => ({ email, firstName: 'Jean', lastName: 'Dupont' });
    const pages = [];
    for (const email of ['inconnu@exemple.fr', 'connu@exemple.fr', 'connu@exemple.fr']) {
      const reply = await register(event.slug, fields(email));
      pages.push({ status: reply.status, text: reply.text });
    }
    expect(pages[1]).to.deep.equal(pages[0]);
    expect(pages[2]).to.deep.equal(pages[0]);
    expect(await Registration.countDocuments({ event: event.id })).to.equal(2);
    // the second registration of the same person is told again, by e-mail only
    const mails = await smtp.waitFor(2, to('connu@exemple.fr'));
    expect(mails.map((m) => m.parsed!.subject)).to.deep.equal(['Inscription confirmée : Journée sans fuite', 'Inscription confirmée : Journée sans fuite']);
    const page = await visitor.get(`/rencontres/${event.slug}`);
    expect(page.text).not.to.contain('connu@exemple.fr').and.not.to.contain('Dupont');
  });

  it('puts registrants past capacity on a waiting list, and promotes the first in line by e-mail when someone cancels through their link', async () => {
    const event = (await staff.post('/api/events', eventInput({ title: 'Atelier à places limitées', capacity: 2, visioUrl: 'https://visio.example.org/atelier' }))).body;
    for (const name of ['un', 'deux', 'trois', 'quatre']) {
      expect((await register(event.slug, { email: `${name}@places.fr`, firstName: name, lastName: 'Test' })).status).to.equal(200);
    }
    const statuses = async () => Object.fromEntries((await Registration.find({ event: event.id }).lean()).map((r) => [r.email, r.status]));
    expect(await statuses()).to.deep.equal({ 'un@places.fr': 'registered', 'deux@places.fr': 'registered', 'trois@places.fr': 'waiting', 'quatre@places.fr': 'waiting' });
    const [waiting] = await smtp.waitFor(1, to('trois@places.fr'));
    expect(waiting.parsed!.subject).to.equal("Liste d'attente : Atelier à places limitées");
    expect(waiting.parsed!.attachments).to.have.length(0);
    expect(waiting.parsed!.text).not.to.contain('visio.example.org');
    expect((await visitor.get(`/rencontres/${event.slug}`)).text).to.contain('Cette rencontre est complète');

    const [confirmation] = await smtp.waitFor(1, to('un@places.fr'));
    const cancelPath = linkIn(confirmation, '/rencontres/annulation/');
    const ask = await visitor.get(cancelPath);
    expect(ask.text).to.contain("Confirmez-vous l'annulation").and.contain('<form method="post">');
    expect(await statuses()).to.include({ 'un@places.fr': 'registered' }); // GET never cancels
    const done = await visitor.post(cancelPath, form({}));
    expect(done.status).to.equal(200);
    expect(done.text).to.contain('Inscription annulée');
    expect(await statuses()).to.deep.equal({ 'un@places.fr': 'cancelled', 'deux@places.fr': 'registered', 'trois@places.fr': 'registered', 'quatre@places.fr': 'waiting' });
    const promoted = (await smtp.waitFor(2, to('trois@places.fr')))[1];
    expect(promoted.parsed!.subject).to.equal("Une place s'est libérée : Atelier à places limitées");
    expect(promoted.parsed!.text).to.contain('https://visio.example.org/atelier');
    expect(icsOf(promoted).content.toString()).to.contain('SUMMARY:Atelier à places limitées');
    expect(await EventSeat.countDocuments({ event: event.id })).to.equal(2);

    // staff raise the capacity: the next in line is seated
    const raised = await staff.put(`/api/events/${event.id}`, { capacity: 3 });
    expect(raised.body.counts).to.deep.include({ registered: 3, waiting: 0, cancelled: 1 });
    expect(await contactIdsForEvent(event.id)).to.have.length(3);
  });

  it('sends the reminder the day before through the job, once', async () => {
    const day = parisDayIn(1);
    const event = (await staff.post('/api/events', eventInput({ title: 'Rencontre de demain', start: `${day}T14:00`, end: `${day}T17:00`, visioUrl: 'https://visio.example.org/demain' }))).body;
    const later = (await staff.post('/api/events', eventInput({ title: 'Rencontre de la semaine prochaine', start: `${parisDayIn(8)}T14:00`, end: `${parisDayIn(8)}T17:00` }))).body;
    await register(event.slug, { email: 'rappel@exemple.fr', firstName: 'Rémi', lastName: 'Rappel' });
    await register(later.slug, { email: 'rappel@exemple.fr', firstName: 'Rémi', lastName: 'Rappel' });
    for (let run = 0; run < 2; run++) {
      const done = new Promise((resolve) => server.ctx.scheduler.agenda.once(`complete:${EVENT_REMINDERS}`, resolve));
      await server.ctx.scheduler.agenda.now(EVENT_REMINDERS);
      await done;
    }
    await smtp.waitFor(3, to('rappel@exemple.fr'));
    const reminders = smtp.mails.filter(to('rappel@exemple.fr')).filter((m) => m.parsed!.subject!.startsWith("C'est demain"));
    expect(reminders.map((m) => m.parsed!.subject)).to.deep.equal(["C'est demain : Rencontre de demain"]);
    expect(reminders[0].parsed!.text).to.contain('https://visio.example.org/demain').and.contain('de 14 h à 17 h');
  });

  it('keeps an invitation-only event closed without its code', async () => {
    const event = (await staff.post('/api/events', eventInput({ title: 'Réunion du conseil', kind: 'reunion-statutaire', access: 'invitation' }))).body;
    expect((await visitor.get(`/rencontres/${event.slug}`)).status).to.equal(404);
    expect((await register(event.slug, { email: 'x@exemple.fr', firstName: 'X', lastName: 'Y' })).status).to.equal(404);
    const url = new URL(event.invitationUrl);
    const page = await visitor.get(url.pathname + url.search);
    expect(page.status).to.equal(200);
    const code = url.searchParams.get('code')!;
    expect(page.text).to.contain(`name="code" value="${code}"`);
    expect((await register(event.slug, { email: 'x@exemple.fr', firstName: 'X', lastName: 'Y', code })).status).to.equal(200);
  });

  it('asks for the newsletter through the double opt-in only when ticked', async () => {
    const event = (await staff.post('/api/events', eventInput({ title: 'Rencontre lettre' }))).body;
    await register(event.slug, { email: 'lectrice@exemple.fr', firstName: 'Léa', lastName: 'Lectrice', newsletter: 'oui' });
    const mails = await smtp.waitFor(2, to('lectrice@exemple.fr'));
    expect(mails.map((m) => m.parsed!.subject).sort()).to.deep.equal(['Confirmez votre abonnement — Fabrique Territoires Santé', 'Inscription confirmée : Rencontre lettre']);
    expect(await Subscription.countDocuments({})).to.equal(0); // nothing before the address is proven
    expect(await Registration.findOne({ email: 'lectrice@exemple.fr' }).lean()).to.include({ newsletterConsent: true });
  });

  it('rate-limits the public form per client address', async () => {
    const event = (await staff.post('/api/events', eventInput({ title: 'Rencontre limitée' }))).body;
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await register(event.slug, { email: `robot${i}@exemple.fr`, firstName: 'R', lastName: 'B' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).to.equal(true);
    expect(statuses[10]).to.equal(429);
  });

  it('erases a contact’s registrations with the contact (RGPD)', async () => {
    const admin = (await clientAs(server, 'admin')).client;
    const event = (await staff.post('/api/events', eventInput({ title: 'Rencontre effaçable', questions: [{ label: 'Vos attentes', kind: 'text' }] }))).body;
    await register(event.slug, { email: 'efface@exemple.fr', firstName: 'Eva', lastName: 'Effacée', organisationName: 'Asso', accessibilityNeeds: 'Fauteuil', 'q_vos-attentes': 'Des échanges' });
    const contact = await Contact.findOne({ email: 'efface@exemple.fr' }).lean();
    expect((await admin.post(`/api/contacts/${contact!._id}/erase`)).status).to.equal(200);
    const registration = await Registration.findOne({ contact: contact!._id }).lean();
    expect(registration).to.include({ firstName: '', lastName: '', organisationName: '', accessibilityNeeds: '' });
    expect(registration!.email).to.match(/@efface\.invalid$/);
    expect(registration!.answers).to.deep.equal([]);
    expect(await contactIdsForEvent(event.id)).to.deep.equal([]);
  });

  it('renames the statuses stored before the API names (migration 4): confirmed → registered, waitlisted → waiting', async () => {
    const raw = Registration.collection;
    const event = new Types.ObjectId();
    const base = { event, email: 'ancien@exemple.fr', registeredAt: new Date(), answers: [], dispositifs: [] };
    await raw.insertMany([
      { ...base, contact: new Types.ObjectId(), key: `${event}:a`, status: 'confirmed', notifiedStatus: 'confirmed' },
      { ...base, contact: new Types.ObjectId(), key: `${event}:b`, status: 'waitlisted', notifiedStatus: 'waitlisted' },
      { ...base, contact: new Types.ObjectId(), key: `${event}:c`, status: 'cancelled' },
    ]);
    for (let run = 0; run < 2; run++) await registrationStatuses.up(mongoose.connection.db!, server.ctx.logger); // idempotent
    const rows = await raw.find({ event }).sort({ key: 1 }).toArray();
    expect(rows.map((r) => [r.status, r.notifiedStatus])).to.deep.equal([['registered', 'registered'], ['waiting', 'waiting'], ['cancelled', undefined]]);
  });
});
