import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { compileNewsletter } from '../../server/newsletters/newsletter.service.js';
import { pollContactMailbox } from '../../server/solicitations/contact-mailbox.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { sendWaitingReminders } from '../../server/solicitations/solicitation.worklist.js';
import { workingDaysBetween } from '../../server/solicitations/working-days.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { startDovecot } from '../delivery/dovecot.js';
import { deliverTo, mail } from './mail-fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe('solicitations from the contact mailbox (real Dovecot and SMTP)', function () {
  this.timeout(60_000);
  let smtp: SmtpReceiver;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let server: TestServer;
  let staff: Client;
  const ctx = () => ({ config: server.ctx.config, logger: silent });

  const deliver = (...messages: string[]) => deliverTo(dovecot, ...messages);

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    dovecot = await startDovecot('contact');
    server = await startTestServer({
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Fabrique Territoires Santé <lettre@fts.test>', CONTACT_FROM: 'Fabrique Territoires Santé <contact@fts.test>', CONTACT_IMAP_URL: dovecot.url, CONTACT_ATTACHMENT_MAX_MB: '0.5' },
    });
    staff = (await clientAs(server, 'staff')).client;
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
    await dovecot.stop();
  });

  it('turns new e-mails into solicitations: a known contact by a secondary address, a new one created, automatic mail ignored', async () => {
    const known = await createContact({ email: 'n.haddad@ville-exemple.fr', emails: ['coordination.asv@ville-exemple.fr'], firstName: 'Nadia', lastName: 'Haddad' });
    await deliver(
      mail({ from: 'Nadia Haddad <coordination.asv@ville-exemple.fr>', subject: 'Ressources sur les contrats locaux de santé', body: 'Bonjour,\nauriez-vous des ressources sur les CLS ?\nMerci', messageId: 'demande-1@ville-exemple.fr' }),
      mail({ from: 'Paul Martin <paul.martin@ars-exemple.fr>', subject: 'Offre d’emploi : coordinateur CLS', body: 'Bonjour, nous recrutons un coordinateur CLS (CDD 12 mois). Fiche de poste : https://ars-exemple.fr/offre-cls', messageId: 'offre-1@ars-exemple.fr' }),
      mail({ from: 'Claire <claire@exemple.org>', subject: 'Absence du bureau', body: 'Je suis absente jusqu’au 7 décembre.', messageId: 'absent-1@exemple.org', headers: ['Auto-Submitted: auto-replied'] }),
      mail({ from: 'MAILER-DAEMON@mx.exemple.fr', subject: 'Undelivered Mail Returned to Sender', body: 'This is the mail system.', messageId: 'dsn-1@mx.exemple.fr', headers: ['Content-Type: multipart/report; report-type=delivery-status; boundary="x"'] }),
      mail({ from: 'liste@exemple.org', subject: '[liste-sante] Compte rendu', body: 'Bonjour à tous', messageId: 'liste-1@exemple.org', headers: ['List-Id: <liste-sante.exemple.org>', 'Precedence: list'] }),
    );
    const counts = await pollContactMailbox(ctx());
    expect(counts).to.deep.equal({ created: 2, threaded: 0, ignored: 3, duplicate: 0 });
    const fromKnown = await Solicitation.findOne({ requester: known._id }).lean();
    expect(fromKnown).to.include({ channel: 'email', source: 'mailbox', status: 'new', unread: true, subject: 'Ressources sur les contrats locaux de santé' });
    expect(fromKnown!.reference).to.match(/^S-2026-\d{4}$/);
    expect(fromKnown!.messages[0].text).to.contain('ressources sur les CLS');
    const offer = await Solicitation.findOne({ subject: /Offre/ }).lean();
    expect(offer!.suggested?.type).to.equal('relais-emploi');
    expect(offer!.type, 'a suggestion is not a confirmed value').to.equal(undefined);
    const created = await staff.get(`/api/solicitations/${offer!._id}`);
    expect(created.body).to.include({ requesterName: 'Paul Martin', requesterEmail: 'paul.martin@ars-exemple.fr' });
  });

  it('creates nothing twice: a second reader finds the messages already read, and a message seen again is a duplicate', async () => {
    await deliver(mail({ from: 'Léa Petit <lea.petit@ccas-exemple.fr>', subject: 'Mise en lien avec un CLSM', body: 'Pourriez-vous nous mettre en relation avec un coordinateur de CLSM ?', messageId: 'lien-1@ccas-exemple.fr' }));
    const [a, b] = await Promise.all([pollContactMailbox(ctx()), pollContactMailbox(ctx())]);
    expect(a.created + b.created, 'two readers at once').to.equal(1);
    expect(await Solicitation.countDocuments({ subject: 'Mise en lien avec un CLSM' })).to.equal(1);
    const before = await Solicitation.countDocuments();
    // the same message delivered again (a crash before it was flagged): recognised by its Message-ID
    await deliver(mail({ from: 'Paul Martin <paul.martin@ars-exemple.fr>', subject: 'Offre d’emploi : coordinateur CLS', body: 'copie', messageId: 'offre-1@ars-exemple.fr' }));
    expect(await pollContactMailbox(ctx())).to.include({ created: 0, duplicate: 1 });
    expect(await Solicitation.countDocuments()).to.equal(before);
  });

  it('keeps an attachment under the cap and refuses one over it with a note', async () => {
    await deliver(
      mail({ from: 'Inès Roy <ines.roy@ireps-exemple.fr>', subject: 'Programme de notre journée', body: 'Voici le programme.', messageId: 'pj-1@ireps-exemple.fr', attachment: { name: 'programme.pdf', bytes: 20_000 } }),
      mail({ from: 'Inès Roy <ines.roy@ireps-exemple.fr>', subject: 'Le rapport complet', body: 'Voici le rapport.', messageId: 'pj-2@ireps-exemple.fr', attachment: { name: 'rapport.pdf', bytes: 800_000 } }),
    );
    await pollContactMailbox(ctx());
    const small = (await Solicitation.findOne({ subject: 'Programme de notre journée' }).lean())!;
    const kept = small.messages[0].attachments[0];
    expect(kept).to.include({ filename: 'programme.pdf', size: 20_000 });
    const download = await fetch(`${server.url}/api/solicitations/${small._id}/attachments/${kept._id}`, { headers: { cookie: staff.cookie! } });
    expect(download.status).to.equal(200);
    expect((await download.arrayBuffer()).byteLength).to.equal(20_000);
    const large = (await Solicitation.findOne({ subject: 'Le rapport complet' }).lean())!;
    expect(large.messages[0].attachments[0].stored).to.equal(undefined);
    expect(large.messages[0].attachments[0].refused).to.match(/refusée : 0,8 Mo, au-delà de la limite de 0,5 Mo/);
  });

  it('sends the answer from Maillage with the tag and In-Reply-To, and threads the requester’s reply', async () => {
    const request = (await Solicitation.findOne({ subject: 'Ressources sur les contrats locaux de santé' }).lean())!;
    const template = await staff.post('/api/solicitation-templates', { name: 'Ressources sur les CLS', body: 'Bonjour,\n\nVoici notre dossier ressources sur les CLS.' });
    expect(template.status).to.equal(201);
    const answered = await staff.post(`/api/solicitations/${request._id}/answer`, { text: template.body.body, timeSpentMinutes: 20 });
    expect(answered.status, answered.text).to.equal(200);
    expect(answered.body).to.include({ status: 'answered', timeSpentMinutes: 20, unread: false });
    const [sent] = await smtp.waitFor(1, (m) => m.rcptTo.includes('n.haddad@ville-exemple.fr'));
    expect(smtp.mails.filter((m) => m.rcptTo.includes('n.haddad@ville-exemple.fr'))).to.have.length(1);
    expect(sent.parsed!.subject).to.equal(`Re: Ressources sur les contrats locaux de santé [${request.reference}]`);
    expect(sent.parsed!.inReplyTo).to.equal('<demande-1@ville-exemple.fr>');
    expect(sent.parsed!.from!.text).to.contain('contact@fts.test');

    await deliver(mail({ from: 'Nadia Haddad <n.haddad@ville-exemple.fr>', subject: `RE: ${sent.parsed!.subject}`, body: 'Merci beaucoup !', messageId: 'merci-1@ville-exemple.fr', inReplyTo: sent.parsed!.messageId!.replace(/^<|>$/g, ''), date: 'Wed, 02 Dec 2026 10:00:00 +0100' }));
    // and a reply that lost its headers but kept the tag in the subject
    await deliver(mail({ from: 'Nadia Haddad <n.haddad@ville-exemple.fr>', subject: `Encore une question [${request.reference}]`, body: 'Et pour les CLSM ?', messageId: 'question-2@ville-exemple.fr' }));
    expect(await pollContactMailbox(ctx())).to.include({ threaded: 2, created: 0 });
    const conversation = (await staff.get(`/api/solicitations/${request._id}`)).body;
    expect(conversation.messages.map((m: { direction: string }) => m.direction)).to.deep.equal(['in', 'out', 'in', 'in']);
    expect(conversation.unread).to.equal(true);
  });

  it('publishes a job offer as a news item that lands in the next newsletter under "Offres d’emploi", and tells the requester', async () => {
    const offer = (await Solicitation.findOne({ subject: /Offre/ }).lean())!;
    const draft = (await staff.get(`/api/solicitations/${offer._id}/news-draft`)).body;
    expect(draft).to.include({ title: 'Offre d’emploi : coordinateur CLS', url: 'https://ars-exemple.fr/offre-cls', category: 'offres-emploi' });
    const published = await staff.post(`/api/solicitations/${offer._id}/publish`, { ...draft, publishedAt: '2026-12-02T10:00:00Z' });
    expect(published.status, published.text).to.equal(201);
    expect(published.body.solicitation.newsItem).to.equal(published.body.news.id ?? published.body.news._id);
    const [notice] = await smtp.waitFor(1, (m) => m.rcptTo.includes('paul.martin@ars-exemple.fr'));
    expect(notice.parsed!.text).to.contain('https://ars-exemple.fr/offre-cls');
    const { issue } = await compileNewsletter(server.ctx, '2026-12');
    const html = (await staff.get(`/api/newsletters/${issue._id}/preview.html`)).text;
    expect(html).to.match(/Offres d(’|'|&#x27;|&#39;)emploi[\s\S]*coordinateur CLS/);
  });

  it('reminds the assignee once of a request waiting more than N working days (weekends and holidays not counted)', async () => {
    const { user } = await clientAs(server, 'staff');
    expect(workingDaysBetween(new Date('2026-12-24T10:00:00+01:00'), new Date('2026-12-28T10:00:00+01:00')), 'Christmas and a weekend').to.equal(1);
    const waiting = await Solicitation.create({ receivedAt: new Date('2026-11-20T10:00:00+01:00'), channel: 'telephone', subject: 'Appel sans réponse', assignee: user.id, reference: 'S-2026-9999' });
    await Solicitation.create({ receivedAt: new Date('2026-12-01T10:00:00+01:00'), channel: 'telephone', subject: 'Appel récent', assignee: user.id });
    const now = new Date('2026-12-02T09:00:00+01:00');
    expect(await sendWaitingReminders(ctx(), now)).to.deep.equal({ reminded: 1, emails: 1 });
    const [reminder] = await smtp.waitFor(1, (m) => m.rcptTo.includes(user.email));
    expect(reminder.parsed!.text).to.contain('S-2026-9999 — Appel sans réponse').and.not.contain('Appel récent');
    expect(await sendWaitingReminders(ctx(), new Date(now.getTime() + 3_600_000)), 'once a day').to.deep.equal({ reminded: 0, emails: 0 });
    await Solicitation.deleteOne({ _id: waiting._id });
  });

  it('shows the work list: unread first, the oldest unanswered age in working days', async () => {
    const list = await staff.get('/api/solicitations');
    expect(list.body[0].unread).to.equal(true);
    const work = (await staff.get('/api/solicitations/work')).body;
    expect(work.unanswered).to.be.greaterThan(0);
    expect(work.oldestUnansweredWorkingDays).to.be.a('number');
  });
});
