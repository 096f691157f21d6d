import { expect } from 'chai';
import mongoose from 'mongoose';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { CLAIMS } from '../../server/lib/db.js';
import { List } from '../../server/lists/list.model.js';
import { createNews } from '../../server/news/news.service.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { compileNewsletter, resumeStalledNewsletters, SEND_CLAIM_STALE_MS } from '../../server/newsletters/newsletter.service.js';
import { createSubscription } from '../../server/subscriptions/subscription.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { resetDatabase, startTestServer, type TestServer } from '../helpers.js';

/**
 * A sending that crashed between its claim and the creation of its mailing: the issue is
 * `sending`, has no mailing, and its claim is held by a process that is gone.
 */
describe('a newsletter whose sending crashed before its mailing existed', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let issueId: string;

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: false });
    const list = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
    const reader = await createContact({ firstName: 'Rose', lastName: 'Reprise', email: 'rose.reprise@lecteurs.test' });
    await createSubscription({ contact: String(reader._id), list: String(list._id) });
    await createNews({ title: 'Une actualité de janvier', category: 'politique-nationale', publishedAt: new Date('2027-01-12T10:00:00Z') });
    issueId = String((await compileNewsletter(server.ctx, '2027-01')).issue._id);
    // the state a crash leaves: claimed, `sending`, no mailing
    await Newsletter.updateOne({ _id: issueId }, { $set: { status: 'sending', sendingAt: new Date(), approvedAt: new Date() } });
    await mongoose.connection.db!.collection(CLAIMS).insertOne({ _id: `newsletter-send:${issueId}` as never, at: new Date() });
  });
  after(async () => {
    await server.ctx.scheduler.stop();
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('is left alone while its claim is fresh (its sender may still be working)', async () => {
    expect(await resumeStalledNewsletters(server.ctx)).to.deep.equal([]);
    expect(await Mailing.countDocuments({ 'source.id': issueId })).to.equal(0);
  });

  it('is sent by the watchdog once its claim is stale, once, to its list', async () => {
    await mongoose.connection.db!.collection(CLAIMS).updateOne({ _id: `newsletter-send:${issueId}` as never }, { $set: { at: new Date(Date.now() - SEND_CLAIM_STALE_MS - 1000) } });
    const [first, second] = await Promise.all([resumeStalledNewsletters(server.ctx), resumeStalledNewsletters(server.ctx)]);
    expect([...first, ...second]).to.deep.equal([issueId]);
    const issue = (await Newsletter.findById(issueId).lean())!;
    expect(issue.status).to.equal('sending');
    expect(await Mailing.countDocuments({ 'source.id': issueId })).to.equal(1);
    expect(String(issue.mailing)).to.equal(String((await Mailing.findOne({ 'source.id': issueId }).lean())!._id));
    await server.ctx.scheduler.start();
    const mails = await smtp.waitFor(1, (m) => m.parsed?.subject === "Lettre d'information — janvier 2027", 90_000); // a sending process starts slowly on a loaded machine
    expect(mails.map((m) => m.rcptTo[0])).to.deep.equal(['rose.reprise@lecteurs.test']);
  });
});
