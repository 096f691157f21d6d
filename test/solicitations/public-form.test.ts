import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { Client, newVisitor, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { insertContact } from '../memberships/records.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const valid = {
  email: 'Lea.Martin@Asso-Quartiers.fr',
  firstName: 'Léa',
  lastName: 'Martin',
  organisationName: 'Association Santé Quartiers',
  requesterType: 'association-locale',
  type: 'mise-en-lien',
  territory: 'Saint-Denis (93)',
  message: 'Bonjour, nous cherchons un·e coordonnateur·rice de CLSM pour partager son expérience lors de notre journée.',
};

describe('public solicitation form /sollicitation', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let client: Client;
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    client = new Client(server.url);
  });
  beforeEach(() => (client = newVisitor(server))); // a fresh address: the per-address limits start afresh
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('shows an accessible French form with the seeded request types', async () => {
    const page = await client.get('/sollicitation');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<html lang="fr">');
    expect(page.text).to.include('<label for="email">Adresse e-mail (obligatoire)</label>');
    expect(page.text).to.include('<option value="relais-emploi">Relais d&#39;offre d&#39;emploi</option>');
    expect(page.text).to.include('<option value="journaliste">Journaliste</option>');
    expect(page.text).to.match(/class="trap" aria-hidden="true"/);
  });

  it('creates a new solicitation, creates the requester and acknowledges by e-mail', async () => {
    const reply = await client.post('/sollicitation', form(valid));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.include('Merci, votre demande est bien reçue.');
    const contact = await Contact.findOne({ email: 'lea.martin@asso-quartiers.fr' }).lean();
    expect(contact).to.include({ firstName: 'Léa', lastName: 'Martin' });
    const stored = await Solicitation.findOne({ requester: contact!._id }).lean();
    expect(stored).to.include({ status: 'new', channel: 'formulaire', source: 'form', type: 'mise-en-lien', requesterType: 'association-locale', territory: 'commune-93066', isMember: false });
    expect(stored!.organisationName).to.equal('Association Santé Quartiers');
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('lea.martin@asso-quartiers.fr'));
    expect(mail.parsed!.subject).to.equal('Nous avons bien reçu votre demande — Fabrique Territoires Santé');
    expect(mail.parsed!.text).to.include('Bonjour Léa Martin');
    expect(mail.parsed!.text).to.include('(Mise en lien)');
    expect(mail.parsed!.text).not.to.include('coordonnateur·rice de CLSM'); // the message itself is never relayed
  });

  it('matches an existing contact by e-mail instead of creating a second one', async () => {
    const known = await insertContact({ firstName: 'Karine', lastName: 'Bisson', email: 'karine.bisson@ville-saint-denis.fr' });
    const reply = await client.post('/sollicitation', form({ ...valid, email: 'KARINE.BISSON@ville-saint-denis.fr', firstName: 'K.', lastName: '' }));
    expect(reply.status).to.equal(200);
    expect(await Contact.countDocuments({ email: 'karine.bisson@ville-saint-denis.fr' })).to.equal(1);
    expect(await Solicitation.countDocuments({ requester: known._id })).to.equal(1);
    expect((await Contact.findById(known._id).lean())!.firstName).to.equal('Karine');
  });

  it('refuses a request without e-mail or with a 50 kB message, naming the field, and writes nothing', async () => {
    const solicitations = await Solicitation.countDocuments();
    const contacts = await Contact.countDocuments();
    const noEmail = await client.post('/sollicitation', form({ ...valid, email: '' }));
    expect(noEmail.status).to.equal(400);
    expect(noEmail.text).to.include('Le champ « Adresse e-mail » est obligatoire.');
    expect(noEmail.text).to.match(/<input type="email" id="email" name="email" value="" required [^>]*aria-invalid="true" aria-describedby="erreur">/);
    const huge = await client.post('/sollicitation', form({ ...valid, email: 'long@exemple.fr', message: 'x'.repeat(50 * 1024) }));
    expect(huge.status).to.equal(400);
    expect(huge.text).to.include('Le champ « Message » ne doit pas dépasser 5\u202f000 caractères.');
    expect(huge.text).to.include('value="long@exemple.fr"'); // what was typed is kept
    const unknownType = await client.post('/sollicitation', form({ ...valid, email: 'type@exemple.fr', type: 'n-importe-quoi' }));
    expect(unknownType.status).to.equal(400);
    expect(unknownType.text).to.include('Le champ « Objet de la demande » contient une valeur inconnue.');
    expect(await Solicitation.countDocuments()).to.equal(solicitations);
    expect(await Contact.countDocuments()).to.equal(contacts);
  });

  it('answers a robot that fills the honeypot like a person, and keeps nothing', async () => {
    const solicitations = await Solicitation.countDocuments();
    const reply = await client.post('/sollicitation', form({ ...valid, email: 'robot@spam.example', site: 'http://spam.example' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.include('Merci, votre demande est bien reçue.');
    expect(await Solicitation.countDocuments()).to.equal(solicitations);
    expect(await Contact.exists({ email: 'robot@spam.example' })).to.equal(null);
  });

  it('answers 429 after five requests in a quarter of an hour from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.post('/sollicitation', form({ ...valid, email: `serie-${i}@exemple.fr` }))).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
  });
});
