import { expect } from 'chai';
import { NEWSLETTER_COMPILE } from '../../jobs/newsletter-compile.job.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { News } from '../../server/news/news.model.js';
import { createNews } from '../../server/news/news.service.js';
import { monthBounds, previousMonth } from '../../server/newsletters/month.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { runMonthlyNewsletter } from '../../server/newsletters/newsletter.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';

const item = (title: string, publishedAt: string, category: string) => createNews({ title, category, publishedAt: new Date(publishedAt), url: `https://fts.test/${encodeURIComponent(title)}` });

describe('monthly newsletter compilation', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let staffEmail: string;

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: true });
    ({ client: staff, user: { email: staffEmail } } = await clientAs(server, 'staff'));
    await item('Dernier jour de septembre', '2026-09-30T23:30:00+02:00', 'evenements');
    await item('Premier quart d’heure d’octobre', '2026-10-01T00:15:00+02:00', 'evenements');
    await item('Offre de coordinateur·rice', '2026-10-12T10:00:00+02:00', 'offres-emploi');
    await item('Stratégie nationale', '2026-10-20T09:00:00+02:00', 'politique-nationale');
    await item('Assemblée générale de la Fabrique', '2026-10-15T18:00:00+02:00', 'fabrique');
    await item('Rencontre régionale', '2026-10-05T09:00:00+02:00', 'evenements');
    await item('Dernière demi-heure d’octobre', '2026-10-31T23:30:00+01:00', 'evenements');
    await item('Premier quart d’heure de novembre', '2026-11-01T00:15:00+01:00', 'evenements');
  });
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('bounds a month at midnight Paris time, summer and winter', () => {
    expect(monthBounds('2026-10')).to.deep.equal({ start: new Date('2026-09-30T22:00:00Z'), end: new Date('2026-10-31T23:00:00Z') });
    expect(monthBounds('2026-12').end).to.deep.equal(new Date('2026-12-31T23:00:00Z'));
    expect(previousMonth(new Date('2026-11-01T07:00:00Z'))).to.equal('2026-10');
    expect(previousMonth(new Date('2027-01-01T07:00:00Z'))).to.equal('2026-12');
    expect(previousMonth(new Date('2026-10-31T23:30:00Z'))).to.equal('2026-10'); // already 1 November in Paris
  });

  it("picks exactly the month's items in Paris time, 23:30 on the last day and 00:15 on the 1st included", async () => {
    const reply = await staff.post('/api/newsletters/compile', { month: '2026-10' });
    expect(reply.status).to.equal(201);
    expect(reply.body).to.include({ month: '2026-10', slug: 'octobre-2026', status: 'draft', title: "Lettre d'information — octobre 2026" });
    const titles = (await News.find({ _id: { $in: reply.body.items } }).lean()).map((n) => n.title).sort();
    expect(titles).to.deep.equal(
      ['Assemblée générale de la Fabrique', 'Dernière demi-heure d’octobre', 'Offre de coordinateur·rice', 'Premier quart d’heure d’octobre', 'Rencontre régionale', 'Stratégie nationale'].sort(),
    );
    const november = await staff.post('/api/newsletters/compile', { month: '2026-11' });
    expect((await News.find({ _id: { $in: november.body.items } }).lean()).map((n) => n.title)).to.deep.equal(['Premier quart d’heure de novembre']);
  });

  it('groups items by category in the vocabulary order, oldest first, with counts in the table of contents', async () => {
    const issue = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    expect(issue.sections.map((s) => [s.label, s.count])).to.deep.equal([
      ['Actualités de la Fabrique', 1],
      ['Politique nationale', 1],
      ['Événements', 3],
      ["Offres d'emploi", 1],
    ]);
    const text = (await staff.get(`/api/newsletters/${issue._id}/preview.txt`)).text;
    const order = ['Assemblée générale', 'Stratégie nationale', 'Premier quart d’heure d’octobre', 'Rencontre régionale', 'Dernière demi-heure', 'Offre de coordinateur'];
    const positions = order.map((t) => text.lastIndexOf(t));
    expect(positions.every((p) => p > 0)).to.equal(true);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
    expect(text).to.include('Événements (3)');
    expect(text).to.include("Lettre d'information — octobre 2026");
  });

  it('serves HTML and text previews with sample personal values and no placeholder left', async () => {
    const issue = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    expect(issue.content!.html).to.include('%%UNSUBSCRIBE_URL%%').and.to.include('%%PREFERENCES_URL%%').and.to.include('%%BROWSER_URL%%');
    const html = await staff.get(`/api/newsletters/${issue._id}/preview.html`);
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/text\/html/);
    expect(html.text).to.match(/<html lang="fr"/);
    expect(html.text).to.include('http://maillage.test/desabonnement/apercu').and.to.include('http://maillage.test/lettres/octobre-2026');
    expect(html.text).not.to.include('%%');
    const text = await staff.get(`/api/newsletters/${issue._id}/preview.txt`);
    expect(text.text).to.include('camille.exemple@example.org').and.to.include('Me désabonner');
  });

  it('keeps the editorial, exclusions and order when the job runs again, and picks up new items', async () => {
    const issue = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    const [first, second, ...rest] = issue.items.map(String);
    const edited = await staff.put(`/api/newsletters/${issue._id}`, { editorial: 'Bonjour à toutes et tous,\n\nLa Fabrique était à Lyon.', items: [second, ...rest] });
    expect(edited.status).to.equal(200);
    expect(edited.body.excluded).to.deep.equal([first]);
    await item('Arrivée tardive', '2026-10-25T12:00:00+02:00', 'avis-rapports');
    const run = await runMonthlyNewsletter(server.ctx, new Date('2026-11-01T07:00:00Z'));
    expect(run.outcome).to.equal('refreshed');
    const again = await runMonthlyNewsletter(server.ctx, new Date('2026-11-01T07:00:00Z'));
    expect(again.outcome).to.equal('refreshed');
    expect(await Newsletter.countDocuments({ month: '2026-10' })).to.equal(1);
    const refreshed = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    expect(refreshed.editorial).to.equal('Bonjour à toutes et tous,\n\nLa Fabrique était à Lyon.');
    expect(refreshed.excluded.map(String)).to.deep.equal([first]);
    expect(refreshed.items.map(String).slice(0, rest.length + 1)).to.deep.equal([second, ...rest]);
    expect(refreshed.items).to.have.length(issue.items.length);
    expect(refreshed.content!.html).to.include('La Fabrique était à Lyon.').and.to.include('Arrivée tardive');
    const notices = await smtp.waitFor(1, (m) => m.rcptTo.includes(staffEmail) && /octobre 2026/.test(m.parsed?.subject ?? ''));
    expect(notices[0].parsed!.text).to.include(`http://maillage.test/admin/newsletters/${issue._id}/show`);
  });

  it('never modifies an approved issue, even when the job runs again', async () => {
    const issue = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    const approved = await staff.post(`/api/newsletters/${issue._id}/approve`);
    expect(approved.status).to.equal(200);
    expect(approved.body.status).to.equal('approved');
    const frozen = (await Newsletter.findById(issue._id).lean())!;
    expect(frozen.webHtml).to.be.a('string').and.not.to.include('%%');
    await item('Trop tard pour la lettre', '2026-10-30T12:00:00+01:00', 'evenements');
    const run = await runMonthlyNewsletter(server.ctx, new Date('2026-11-01T07:00:00Z'));
    expect(run.outcome).to.equal('unchanged');
    const compile = await staff.post('/api/newsletters/compile', { month: '2026-10' });
    expect(compile.status).to.equal(409);
    const edit = await staff.put(`/api/newsletters/${issue._id}`, { editorial: 'Changé' });
    expect(edit.status).to.equal(409);
    const after = (await Newsletter.findById(issue._id).lean())!;
    expect(after.updatedAt).to.deep.equal(frozen.updatedAt);
    expect(after.content).to.deep.equal(frozen.content);
    expect(after.items.map(String)).to.deep.equal(frozen.items.map(String));
  });

  it('creates nothing for a month without news and tells staff by e-mail, through the Agenda job', async () => {
    const before = smtp.mails.length;
    const done = new Promise<void>((resolve) => server.ctx.scheduler.agenda.once(`complete:${NEWSLETTER_COMPILE}`, () => resolve()));
    await server.ctx.scheduler.agenda.now(NEWSLETTER_COMPILE, { month: '2026-07' });
    await done;
    expect(await Newsletter.countDocuments({ month: '2026-07' })).to.equal(0);
    const [notice] = await smtp.waitFor(1, (m) => smtp.mails.indexOf(m) >= before && m.rcptTo.includes(staffEmail));
    expect(notice.parsed!.subject).to.equal('[Maillage] Pas de lettre pour juillet 2026');
    expect(notice.parsed!.text).to.include('Aucune actualité publiée en juillet 2026');
    const api = await staff.post('/api/newsletters/compile', { month: '2026-07' });
    expect(api.status).to.equal(422);
    expect(api.body.error.field).to.equal('month');
  });

  it('answers 400 naming the field for a bad month or a foreign item, and writes nothing', async () => {
    const count = await Newsletter.countDocuments();
    for (const month of ['2026-13', '10-2026', { $gt: '' }]) {
      const reply = await staff.post('/api/newsletters/compile', { month });
      expect(reply.status).to.equal(400);
      expect(reply.body.error.field).to.equal('month');
    }
    const november = (await Newsletter.findOne({ month: '2026-11' }).lean())!;
    const october = (await Newsletter.findOne({ month: '2026-10' }).lean())!;
    const foreign = await staff.put(`/api/newsletters/${november._id}`, { items: [String(october.items[0])] });
    expect(foreign.status).to.equal(400);
    expect(foreign.body.error.field).to.equal('items');
    const badTest = await staff.post(`/api/newsletters/${november._id}/test`, { emails: ['pas-une-adresse'] });
    expect(badTest.status).to.equal(400);
    expect(badTest.body.error.field).to.equal('emails.0');
    expect(await Newsletter.countDocuments()).to.equal(count);
  });

  it('sends a test to given addresses with a test subject', async () => {
    const november = (await Newsletter.findOne({ month: '2026-11' }).lean())!;
    const reply = await staff.post(`/api/newsletters/${november._id}/test`, { emails: ['relecture@fts.test'] });
    expect(reply.status).to.equal(200);
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('relecture@fts.test'));
    expect(mail.parsed!.subject).to.equal("[Essai] Lettre d'information — novembre 2026");
    expect(mail.parsed!.html).to.include('Premier quart d’heure de novembre');
    expect(mail.parsed!.text).to.include('relecture@fts.test');
    expect(mail.parsed!.text).to.match(/Au sommaire de ce mois : 1 actualité\n/);
  });

  it('never lets a typed "%%EMAIL%%" become a per-recipient placeholder', async () => {
    await createNews({ title: 'Titre %%EMAIL%%', category: 'evenements', publishedAt: new Date('2026-08-10T10:00:00Z'), url: 'https://elsewhere.test/?who=%%EMAIL%%' });
    const august = await staff.post('/api/newsletters/compile', { month: '2026-08' });
    const issue = (await Newsletter.findById(august.body.id).lean())!;
    expect(issue.content!.html!.match(/%%EMAIL%%/g)).to.have.length(1); // the footer's own
    expect(issue.content!.html).to.include('https://elsewhere.test/?who&#x3D;%25%25EMAIL%25%25');
  });

  it('lets the board read issues but not compile, approve or send', async () => {
    const board = (await clientAs(server, 'board')).client;
    const list = await board.get('/api/newsletters');
    expect(list.status).to.equal(200);
    expect(list.headers.get('content-range')).to.match(/^newsletters 0-\d+\/\d+$/);
    expect(list.body[0]).not.to.have.property('content');
    expect((await board.post('/api/newsletters/compile', { month: '2026-10' })).status).to.equal(403);
    expect((await board.post(`/api/newsletters/${list.body[0].id}/approve`)).status).to.equal(403);
  });
});
