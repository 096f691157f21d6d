import { expect } from 'chai';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { List } from '../../server/lists/list.model.js';
import { createNews } from '../../server/news/news.service.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { refreshSendingNewsletters } from '../../server/newsletters/newsletter.service.js';
import { createSegment } from '../../server/segments/segment.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { createSubscription } from '../../server/subscriptions/subscription.service.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { Client, clientAs, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

const PUBLIC_URL = 'http://maillage.test';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('sending a newsletter to the monthly list', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let issueId: string;
  let mails: ReceivedMail[];
  const readers = [
    { firstName: 'Aïcha', lastName: 'Benali', email: 'aicha.benali@lecteurs.test' },
    { firstName: 'Bruno', lastName: 'Martin', email: 'bruno.martin@lecteurs.test' },
    { firstName: 'Chloé', lastName: 'Payet', email: 'chloe.payet@lecteurs.test' },
  ];

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: true });
    staff = (await clientAs(server, 'staff')).client;
    const list = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
    for (const reader of readers) {
      const contact = await createContact(reader);
      await createSubscription({ contact: String(contact._id), list: String(list._id) });
    }
    const gone = await createContact({ firstName: 'Denis', lastName: 'Parti', email: 'denis.parti@lecteurs.test' });
    await createSubscription({ contact: String(gone._id), list: String(list._id), status: 'pending' });
    await createNews({ title: 'Stratégie nationale de santé', category: 'politique-nationale', publishedAt: new Date('2026-10-15T10:00:00Z'), url: 'https://fts.test/strategie' });
    await createNews({ title: '<b>Rencontre</b> {{nationale}} des ASV', category: 'evenements', publishedAt: new Date('2026-10-20T10:00:00Z'), url: 'https://fts.test/rencontre' });
    issueId = (await staff.post('/api/newsletters/compile', { month: '2026-10' })).body.id;
  });
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('refuses to send a draft', async () => {
    const reply = await staff.post(`/api/newsletters/${issueId}/send`);
    expect(reply.status).to.equal(409);
    expect(reply.body.error.field).to.equal('status');
  });

  it('creates one mailing even when send is clicked twice at once', async () => {
    expect((await staff.post(`/api/newsletters/${issueId}/approve`)).status).to.equal(200);
    const replies = await Promise.all([staff.post(`/api/newsletters/${issueId}/send`), staff.post(`/api/newsletters/${issueId}/send`)]);
    expect(replies.some((r) => r.status === 202)).to.equal(true);
    for (const reply of replies) expect(reply.status).to.be.oneOf([202, 409]); // the second sees 'sending' or 'approved→sending'
    expect(await Mailing.countDocuments({ 'source.kind': 'newsletter', 'source.id': issueId })).to.equal(1);
  });

  it('reaches a real SMTP receiver, one e-mail per subscriber, personalised', async () => {
    mails = await smtp.waitFor(3, (m) => m.parsed?.subject === "Lettre d'information — octobre 2026");
    expect(mails.map((m) => m.rcptTo[0]).sort()).to.deep.equal(readers.map((r) => r.email).sort());
    for (const mail of mails) {
      const to = mail.rcptTo[0];
      expect(mail.parsed!.text).to.include(`Vous recevez cette lettre à l'adresse ${to}`);
      expect(mail.parsed!.html).to.include(to);
      expect(mail.parsed!.html).to.include('&lt;b&gt;Rencontre&lt;/b&gt; {{nationale}} des ASV');
      expect(mail.raw).not.to.include('%%');
      expect(mail.raw).to.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      expect(mail.parsed!.html).to.include(`${PUBLIC_URL}/lettres/octobre-2026`);
    }
    const links = mails.map((m) => /href="(http:\/\/maillage\.test\/desabonnement\/[^"]+)"/.exec(m.parsed!.html as string)![1]);
    expect(new Set(links).size).to.equal(3);
  });

  it('has working unsubscribe and preference links in each e-mail', async () => {
    const mail = mails.find((m) => m.rcptTo[0] === 'bruno.martin@lecteurs.test')!;
    const html = mail.parsed!.html as string;
    const unsubscribe = /href="http:\/\/maillage\.test(\/desabonnement\/[^"]+)"/.exec(html)![1];
    const preferences = /href="http:\/\/maillage\.test(\/preferences\/[^"]+)"/.exec(html)![1];
    const visitor = new Client(server.url);
    const page = await visitor.get(preferences.replace(/&amp;/g, '&'));
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<html lang="fr">').and.to.include('Lettre mensuelle');
    const confirm = await visitor.get(unsubscribe);
    expect(confirm.status).to.equal(200);
    const oneClick = await visitor.post(unsubscribe, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(oneClick.status).to.equal(200);
    const subscription = await Subscription.findOne({ status: 'unsubscribed' }).lean();
    expect(subscription).to.not.equal(null);
  });

  it('ends as sent with its figures, brought up to date by the follow-up service without anyone looking', async () => {
    await until(
      async () => (await Mailing.findOne({ 'source.id': issueId }).lean())!.status,
      (status) => status === 'sent',
    );
    expect(await refreshSendingNewsletters()).to.equal(1);
    expect((await Newsletter.findById(issueId).lean())!.status).to.equal('sent');
    const issue = await until(
      async () => (await staff.get(`/api/newsletters/${issueId}`)).body,
      (body) => body.status === 'sent',
    );
    expect(issue.status).to.equal('sent');
    expect(issue.figures).to.include({ total: 3, sent: 3, failed: 0, remaining: 0, unsubscribed: 1 });
    expect(issue.sentAt).to.be.a('string');
  });

  it('publishes the issue in the web archive without any personal link', async () => {
    const visitor = new Client(server.url);
    const list = await visitor.get('/lettres');
    expect(list.status).to.equal(200);
    expect(list.text).to.include('<html lang="fr">').and.to.include('href="/lettres/octobre-2026"');
    const page = await visitor.get('/lettres/octobre-2026');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Stratégie nationale de santé').and.to.include('&lt;b&gt;Rencontre&lt;/b&gt;');
    for (const personal of ['%%', '/desabonnement/', '/preferences/', 'lecteurs.test']) expect(page.text).not.to.include(personal);
    expect(page.text).to.include(`${PUBLIC_URL}/abonnement`);
    expect((await visitor.get('/lettres/septembre-2026')).status).to.equal(404);
  });

  it('sends a scheduled issue when its time comes, through the Agenda job', async () => {
    await createNews({ title: 'Appel à projets de novembre', category: 'appels-a-projets', publishedAt: new Date('2026-11-10T10:00:00Z') });
    const november = (await staff.post('/api/newsletters/compile', { month: '2026-11' })).body;
    await staff.post(`/api/newsletters/${november.id}/approve`);
    const at = new Date(Date.now() + 1500).toISOString();
    const scheduled = await staff.post(`/api/newsletters/${november.id}/send`, { at });
    expect(scheduled.status).to.equal(202);
    expect(scheduled.body).to.include({ status: 'approved', scheduledAt: at });
    const sent = await smtp.waitFor(2, (m) => m.parsed?.subject === "Lettre d'information — novembre 2026");
    expect(sent.map((m) => m.rcptTo[0]).sort()).to.deep.equal(['aicha.benali@lecteurs.test', 'chloe.payet@lecteurs.test']);
    expect((await Newsletter.findById(november.id).lean())!.status).to.be.oneOf(['sending', 'sent']);
  });

  it('narrows the audience to a segment of the list', async () => {
    await createNews({ title: 'Offre de décembre', category: 'offres-emploi', publishedAt: new Date('2026-12-10T10:00:00Z') });
    const december = (await staff.post('/api/newsletters/compile', { month: '2026-12' })).body;
    const unknown = await staff.put(`/api/newsletters/${december.id}`, { segment: '64b000000000000000000099' });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.field).to.equal('segment');
    const segment = await createSegment({ name: 'Lecteurs de La Réunion', filter: { q: 'payet' } });
    expect((await staff.put(`/api/newsletters/${december.id}`, { segment: String(segment._id) })).status).to.equal(200);
    await staff.post(`/api/newsletters/${december.id}/approve`);
    expect((await staff.post(`/api/newsletters/${december.id}/send`)).status).to.equal(202);
    const sent = await smtp.waitFor(1, (m) => m.parsed?.subject === "Lettre d'information — décembre 2026");
    const final = await until(
      async () => (await staff.get(`/api/newsletters/${december.id}`)).body,
      (body) => body.status === 'sent',
    );
    expect(final.figures).to.include({ total: 1, sent: 1 });
    expect(smtp.mails.filter((m) => m.parsed?.subject === "Lettre d'information — décembre 2026").map((m) => m.rcptTo[0])).to.deep.equal(['chloe.payet@lecteurs.test']);
    expect(sent).to.have.length(1);
  });
});
