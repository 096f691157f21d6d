import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { List } from '../../server/lists/list.model.js';
import { createNews } from '../../server/news/news.service.js';
import { createSubscription } from '../../server/subscriptions/subscription.service.js';
import { suppress } from '../../server/suppressions/suppression.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { Client, clientAs, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('a newsletter issue: its subject, its audience before sending, its figures and what readers clicked', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let id: string;

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: true });
    staff = (await clientAs(server, 'staff')).client;
    const list = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
    for (const email of ['une@lecteurs.test', 'deux@lecteurs.test', 'trois@lecteurs.test']) {
      const contact = await createContact({ email, firstName: email.split('@')[0] });
      await createSubscription({ contact: String(contact._id), list: String(list._id) });
    }
    await suppress('trois@lecteurs.test', 'complaint');
    await createNews({ title: 'Appel à projets santé mentale', category: 'appels-a-projets', publishedAt: new Date('2026-09-10T10:00:00Z'), url: 'https://fts.test/appel' });
    await createNews({ title: 'Rencontre des ASV', category: 'evenements', publishedAt: new Date('2026-09-12T10:00:00Z'), url: 'https://fts.test/rencontre' });
    id = (await staff.post('/api/newsletters/compile', { month: '2026-09' })).body.id;
  });
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('has the month as default subject, editable on the draft', async () => {
    expect((await staff.get(`/api/newsletters/${id}`)).body.subject).to.equal("Lettre d'information — septembre 2026");
    const edited = await staff.put(`/api/newsletters/${id}`, { subject: 'La rentrée du réseau' });
    expect(edited.status).to.equal(200);
    expect(edited.body.subject).to.equal('La rentrée du réseau');
  });

  it('shows the list, the segment and the number of recipients before approval, with the exclusions', async () => {
    const issue = (await staff.get(`/api/newsletters/${id}`)).body;
    expect(issue).to.include({ listName: 'Lettre mensuelle', segmentName: null });
    expect(issue.audience).to.include({ count: 2, basis: 'consent' });
    expect(issue.audience.excluded.suppressed).to.equal(1);
  });

  it('sends with its links through /l/ and shows delivered, bounces, unsubscriptions and clicks per item and category', async () => {
    await staff.post(`/api/newsletters/${id}/approve`);
    await staff.post(`/api/newsletters/${id}/send`);
    const mails = await smtp.waitFor(2, (m) => m.parsed?.subject === 'La rentrée du réseau', 20_000);
    const html = mails[0].parsed!.html as string;
    expect(html).not.to.include('href="https://fts.test/appel"');
    const link = (title: string) => new RegExp(`href="http://maillage\\.test(/l/[^"]+)"[^>]*>${title}`).exec(html)![1];
    const reader = new Client(server.url);
    for (let i = 0; i < 3; i++) expect((await reader.get(link('Rencontre des ASV'))).headers.get('location')).to.equal('https://fts.test/rencontre');
    await reader.get(link('Appel à projets santé mentale'));
    // the other reader's message carries the very same links: nothing in them names a reader
    expect(mails[1].parsed!.html).to.include(link('Rencontre des ASV'));
    let issue;
    for (let i = 0; i < 100; i++) {
      issue = (await staff.get(`/api/newsletters/${id}`)).body;
      if (issue.outcome?.accepted === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(issue.outcome).to.include({ recipients: 2, accepted: 2, delivered: 2, hardBounces: 0, complaints: 0, unsubscribed: 0 });
    expect(issue.clicks.map((c: { label: string; clicks: number }) => [c.label, c.clicks])).to.deep.equal([
      ['Rencontre des ASV', 3],
      ['Appel à projets santé mentale', 1],
    ]);
    expect(issue.categoryClicks.map((c: { label: string; clicks: number }) => [c.label, c.clicks])).to.deep.equal([
      ['Événements', 3],
      ['Appels à projets', 1],
    ]);
  });
});
