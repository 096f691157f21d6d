import { expect } from 'chai';
import { closeMailers, createMailer } from '../../server/delivery/mailer.js';
import { Delivery, DeliveryEvent, deliveriesOf as deliveriesOfMailing, eventsOf } from '../../server/delivery/delivery.model.js';
import { Types } from 'mongoose';
import { contentOf, Mailing } from '../../server/delivery/mailing.model.js';
import { migration as mailingContents } from '../../server/ops/migrations/005-mailing-contents.js';
import { createMailing, listDeliveries, mailingProgress, startMailing } from '../../server/delivery/mailing.service.js';
import { insertEvents } from '../../server/delivery/event-log.js';
import { ensureAudience, resolveAudience } from '../../server/delivery/audience.js';
import { runMailing } from '../../server/delivery/sender.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { List } from '../../server/lists/list.model.js';
import { Segment } from '../../server/segments/segment.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { suppress } from '../../server/suppressions/suppression.service.js';
import { Client, clientAs, listPath, resetDatabase, startTestServer, testConfig, type TestServer } from '../helpers.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from './fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const until = async (check: () => Promise<boolean>, timeoutMs = 60_000) => { // a sending process starts slowly on a loaded machine
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
/** Every delivery of a mailing with its state folded from the events. */
const deliveriesOf = async (mailing: unknown) =>
  (await listDeliveries({ filter: { mailing: String(mailing) }, sort: { field: '_id', order: 1 }, skip: 0, limit: 5000 })).items;
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe('the sender: bulk mail through a real SMTP server', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ jobs: true, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Fabrique Territoires Santé <lettre@fts.test>' } });
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  describe('a mailing to a list through the Agenda job', () => {
    let mailingId: string;
    before(async () => {
      const { list, contacts } = await subscribedContacts(30, { prefix: 'lettre' });
      await Subscription.updateOne({ contact: contacts[0]._id }, { $set: { status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: 'link' } });
      await suppress(contacts[1].email, 'hard-bounce');
      await subscribedContacts(5, { list: 'informations-reseau', prefix: 'reseau' });
      const mailing = await createMailing(
        { source: { kind: 'newsletter', id: 'n-1' }, list: list.code, content: NEWSLETTER_CONTENT, browserUrl: 'http://maillage.test/lettres/2026-11' },
        undefined,
      );
      mailingId = String(mailing._id);
      await startMailing(server.ctx, mailingId);
      await until(async () => (await mailingProgress(mailingId)).status === 'sent');
    });

    it('sends one message to each confirmed subscriber, minus unsubscribed and suppressed addresses', async () => {
      const progress = await mailingProgress(mailingId);
      expect(progress).to.include({ status: 'sent', total: 28, sent: 28, failed: 0, remaining: 0, uncertain: 0 });
      const received = smtp.mails.filter((m) => m.rcptTo[0].startsWith('lettre-'));
      expect(received).to.have.length(28);
      expect(new Set(received.map((m) => m.rcptTo[0])).size).to.equal(28);
      expect(received.map((m) => m.rcptTo[0])).not.to.include.members(['lettre-0@exemple.fr', 'lettre-1@exemple.fr']);
      expect(smtp.mails.filter((m) => m.rcptTo[0].startsWith('reseau-'))).to.have.length(0);
      // each lane keeps its connection: the envelope it wrote ahead is the next message's
      expect(new Set(received.map((m) => m.connection)).size).to.be.at.most(server.ctx.config.smtp.maxConnections);
      const rows = await deliveriesOf(mailingId);
      expect(rows).to.have.length(28);
      expect(rows.every((r) => r.status === 'sent' && r.response?.startsWith('250') && r.sentAt && r.attempts === 1)).to.equal(true);
    });

    it('personalises each message and carries the bulk-sender headers', async () => {
      const mail = smtp.mails.find((m) => m.rcptTo[0] === 'lettre-7@exemple.fr')!;
      const delivery = await Delivery.findOne({ mailing: mailingId, email: 'lettre-7@exemple.fr' }).lean();
      const parsed = mail.parsed!;
      expect(parsed.subject).to.equal('La lettre de novembre, Prénom7');
      expect(parsed.text).to.contain('Bonjour Prénom7 Nom7');
      expect(parsed.html).to.contain('Bonjour Prénom7 Nom7').and.contain('/desabonnement/').and.contain('http://maillage.test/lettres/2026-11');
      const raw = mail.raw.replace(/\r\n[ \t]+/g, ' ');
      expect(raw).to.match(/^List-Unsubscribe: <http:\/\/maillage\.test\/desabonnement\/[A-Za-z0-9._-]+>, <mailto:bounces\+unsubscribe@fts\.test\?subject=unsubscribe%20[A-Za-z0-9._%-]+>$/m);
      expect(raw).to.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(raw).to.match(/^List-ID: "?Lettre mensuelle"? <lettre-mensuelle\.fts\.test>$/im);
      expect(raw).to.match(/^Date: .+$/m);
      expect(parsed.messageId).to.equal(`<${delivery!._id}.${mailingId}@fts.test>`);
      expect(parsed.text!.trim().length).to.be.greaterThan(10);
      expect(mail.envelopeFrom).to.equal(`bounces+${delivery!._id}@fts.test`);
      expect(raw.match(/^List-Unsubscribe:/gm)).to.have.length(1);
      // the https link of the header unsubscribes in one click
      const url = /<http:\/\/maillage\.test(\/desabonnement\/[^>]+)>/.exec(raw)![1];
      const reply = await new Client(server.url).post(url, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(reply.status).to.equal(200);
      expect(await Subscription.findById(delivery!.subscription).lean()).to.include({ status: 'unsubscribed', unsubscribeSource: 'one-click' });
      expect((await mailingProgress(mailingId)).unsubscribed).to.equal(1);
    });

    it('shows mailings, progress and deliveries to staff through the API', async () => {
      const { client } = await clientAs(server, 'board');
      const one = await client.get(`/api/mailings/${mailingId}`);
      expect(one.status).to.equal(200);
      expect(one.body.progress).to.include({ status: 'sent', sent: 28, remaining: 0 });
      expect(one.body).not.to.have.property('leaseOwner');
      const list = await client.get(listPath('mailings', { filter: { sourceKind: 'newsletter' } }));
      expect(list.headers.get('content-range')).to.match(/^mailings 0-0\/1$/);
      const deliveries = await client.get(listPath('deliveries', { filter: { mailing: mailingId, status: ['sent'] }, range: [0, 9] }));
      expect(deliveries.headers.get('content-range')).to.equal('deliveries 0-9/28');
      const bad = await client.get(listPath('deliveries', { filter: { status: ['envoye'] } }));
      expect(bad.status).to.equal(400);
      expect(bad.body.error.field).to.match(/^filter\.status/);
      expect((await client.post(`/api/mailings/${mailingId}/pause`)).status).to.equal(403);
    });
  });

  it('narrows the audience with a segment', async () => {
    const list = (await List.findOne({ code: 'adherents' }).lean())!;
    for (const [i, fn] of ['coordo-asv', 'coordo-cls', 'coordo-asv'].entries()) {
      const contact = await createContact({ email: `segment-${i}@exemple.fr`, function: fn });
      await Subscription.create({ contact: contact._id, list: list._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff' } });
    }
    const segment = await Segment.create({ name: 'ASV', filter: { functions: ['coordo-asv'] } });
    const mailing = await createMailing({ source: { kind: 'test', id: 'seg' }, list: 'adherents', segment: String(segment._id), content: NEWSLETTER_CONTENT });
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending' } });
    await ensureAudience(String(mailing._id));
    expect(await runMailing({ config: server.ctx.config, logger: silent }, String(mailing._id))).to.equal('sent');
    const emails = (await Delivery.find({ mailing: mailing._id }).lean()).map((d) => d.email).sort();
    expect(emails).to.deep.equal(['segment-0@exemple.fr', 'segment-2@exemple.fr']);
  });

  it('skips a recipient who unsubscribes after the audience was resolved', async () => {
    const { contacts } = await subscribedContacts(3, { list: 'adherents', prefix: 'partant' });
    const mailing = await createMailing({ source: { kind: 'test', id: 'partant' }, list: 'adherents', content: NEWSLETTER_CONTENT });
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending' } });
    await resolveAudience((await Mailing.findById(mailing._id).lean())!);
    await Subscription.updateOne({ contact: contacts[1]._id }, { $set: { status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: 'link' } });
    await runMailing({ config: server.ctx.config, logger: silent }, String(mailing._id));
    const states = Object.fromEntries((await deliveriesOf(mailing._id)).filter((d) => d.email.startsWith('partant-')).map((d) => [d.email, d.status]));
    expect(states).to.deep.equal({ 'partant-0@exemple.fr': 'sent', 'partant-1@exemple.fr': 'skipped', 'partant-2@exemple.fr': 'sent' });
    expect(smtp.mails.filter((m) => m.rcptTo[0] === 'partant-1@exemple.fr')).to.have.length(0);
    expect(await mailingProgress(String(mailing._id))).to.include({ skipped: 1, remaining: 0 });
  });

  it('still skips who left when the contact index log cannot tell, by reading the list', async () => {
    const { contacts } = await subscribedContacts(2, { list: 'adherents', prefix: 'sanslog' });
    const mailing = await createMailing({ source: { kind: 'test', id: 'sanslog' }, list: 'adherents', content: NEWSLETTER_CONTENT });
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending' } });
    await resolveAudience((await Mailing.findById(mailing._id).lean())!);
    // a log position of another epoch (an emptied log), and a departure the log did not note
    await Mailing.updateOne({ _id: mailing._id }, { $set: { audienceLogPosition: 'une-autre-epoque:0' } });
    await Subscription.collection.updateOne({ contact: contacts[0]._id }, { $set: { status: 'unsubscribed', updatedAt: new Date() } });
    await runMailing({ config: server.ctx.config, logger: silent }, String(mailing._id));
    const states = Object.fromEntries((await deliveriesOf(mailing._id)).filter((d) => d.email.startsWith('sanslog-')).map((d) => [d.email, d.status]));
    expect(states).to.deep.equal({ 'sanslog-0@exemple.fr': 'skipped', 'sanslog-1@exemple.fr': 'sent' });
  });

  it('sends nothing for a mailing whose audience was not resolved by whoever started the run', async () => {
    const mailing = await createMailing({ source: { kind: 'test', id: 'non-resolu' }, list: 'adherents', content: NEWSLETTER_CONTENT });
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending' } });
    const before = smtp.mails.length;
    expect(await runMailing({ config: server.ctx.config, logger: silent }, String(mailing._id))).to.equal('stopped');
    expect(await Delivery.countDocuments({ mailing: mailing._id })).to.equal(0);
    expect(smtp.mails.length).to.equal(before);
    expect((await Mailing.findById(mailing._id).lean())!).to.include({ status: 'sending' }).and.not.have.property('leaseOwner');
  });

  it("reads a mailing's deliveries and events by their _id range, never another mailing's, and an older mailing's by its id alone", async () => {
    await subscribedContacts(3, { list: 'adherents', prefix: 'plage' });
    const mailings = [];
    for (const id of ['plage-a', 'plage-b']) {
      const created = await createMailing({ source: { kind: 'test', id }, list: 'adherents', content: NEWSLETTER_CONTENT });
      await resolveAudience((await Mailing.findById(created._id).lean())!);
      mailings.push((await Mailing.findById(created._id).lean())!);
    }
    const [a, b] = mailings;
    expect(a.deliveriesFrom!.getTimestamp().getTime()).to.be.below(Date.now() - 3_500_000); // an hour of margin for the clock
    const ofA = await Delivery.find(deliveriesOfMailing(a)).lean();
    expect(ofA).to.have.length(a.total).and.length.greaterThan(2);
    expect(ofA.every((d) => String(d.mailing) === String(a._id))).to.equal(true);
    const event = (d: (typeof ofA)[number], mailing: typeof a, kind: 'sent' | 'failed') => ({ _id: `${d._id}:1:${kind}`, delivery: d._id, mailing: mailing._id, event: kind, attempt: 1, at: new Date() });
    await insertEvents(ofA.map((d) => event(d, a, 'sent')));
    await insertEvents([event((await Delivery.findOne(deliveriesOfMailing(b)).lean())!, b, 'failed')]);
    expect(await mailingProgress(String(a._id))).to.include({ sent: a.total, failed: 0 });
    expect(await mailingProgress(String(b._id))).to.include({ sent: 0, failed: 1 });
    expect(await DeliveryEvent.countDocuments(eventsOf([a, b]))).to.equal(a.total + 1);
    await Mailing.updateOne({ _id: b._id }, { $unset: { deliveriesFrom: 1 } }); // as made before the field existed
    const older = (await Mailing.findById(b._id).lean())!;
    expect(deliveriesOfMailing(older)).to.deep.equal({ mailing: b._id });
    expect(await Delivery.countDocuments(deliveriesOfMailing(older))).to.equal(b.total);
    expect(await mailingProgress(String(b._id))).to.include({ failed: 1 });
  });

  it('refuses a mailing without a list or a text part, naming the field', async () => {
    let error: { status?: number; field?: string } = {};
    await createMailing({ source: { kind: 'test' }, list: 'inconnue', content: NEWSLETTER_CONTENT }).catch((e) => (error = e));
    expect(error).to.include({ status: 400, field: 'list' });
    await createMailing({ source: { kind: 'test' }, list: 'adherents', content: { ...NEWSLETTER_CONTENT, text: ' ' } }).catch((e) => (error = e));
    expect(error).to.include({ status: 400, field: 'content.text' });
  });

  it('adds a visible unsubscribe link to content that has none', async () => {
    const mailing = await createMailing({ source: { kind: 'test' }, list: 'adherents', content: { subject: 'x', html: '<html><body><p>x</p></body></html>', text: 'x' } });
    expect(mailing.content.html).to.contain('<a href="%%UNSUBSCRIBE_URL%%">Se désabonner</a>').and.match(/<\/p><\/body><\/html>$/);
    expect(mailing.content.text).to.contain('Se désabonner : %%UNSUBSCRIBE_URL%%');
  });

  it("keeps a mailing's content apart under its id, and moves an older mailing's there once (migration 5)", async () => {
    const db = Mailing.db.db!;
    const made = await createMailing({ source: { kind: 'test', id: 'contenu' }, list: 'adherents', content: NEWSLETTER_CONTENT });
    expect(await db.collection('mailings').findOne({ _id: made._id })).to.not.have.property('content');
    expect((await contentOf(made._id)).subject).to.equal(NEWSLETTER_CONTENT.subject);

    const { _id: list } = (await List.findOne({ code: 'adherents' }).lean())!;
    const older = { _id: new Types.ObjectId(), source: { kind: 'test', id: 'ancien' }, list, status: 'sent', content: { subject: 'Lettre de mars', html: '<p>Mars</p>', text: 'Mars' } };
    await db.collection('mailings').insertOne(older);
    // a run cut after its copy of this one: the copy is there, the mailing still holds the content
    await db.collection('mailing_contents').insertOne({ _id: older._id, subject: 'Lettre de mars', html: '<p>Ma', text: 'Ma' });
    for (let run = 0; run < 2; run++) await mailingContents.up(db, silent); // idempotent
    expect(await db.collection('mailings').findOne({ _id: older._id })).to.not.have.property('content');
    expect(await contentOf(older._id)).to.deep.equal(older.content);
    const shown = await (await clientAs(server, 'staff')).client.get(`/api/mailings/${older._id}`);
    expect(shown.status).to.equal(200);
    expect(shown.body.content).to.deep.equal(older.content);
  });

  describe('SMTP failures', () => {
    let flaky: SmtpReceiver;
    let refusals = new Map<string, number>();
    before(async () => {
      flaky = await startSmtpReceiver({
        reject: (rcpt) => {
          if (rcpt.startsWith('definitif-')) return { code: 550, message: '5.1.1 Utilisateur inconnu' };
          if (rcpt.startsWith('panne-')) return { code: 421, message: '4.3.2 Service indisponible' };
          const left = refusals.get(rcpt) ?? 0;
          if (left > 0) {
            refusals.set(rcpt, left - 1);
            return { code: 451, message: '4.7.1 Réessayez plus tard' };
          }
          return undefined;
        },
      });
    });
    after(() => flaky.close());

    const run = async (prefix: string, count: number, options: Parameters<typeof runMailing>[2] = {}) => {
      const config = testConfig({ SMTP_URL: flaky.url, SMTP_MAX_CONNECTIONS: '2' });
      await subscribedContacts(count, { list: 'adherents', prefix });
      const mailing = await createMailing({ source: { kind: 'test', id: prefix }, list: 'adherents', content: NEWSLETTER_CONTENT });
      await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
      await Delivery.deleteMany({});
      await ensureAudience(String(mailing._id));
      const mailer = createMailer(config, 'bulk');
      const outcome = await runMailing({ config, logger: silent }, String(mailing._id), { mailer, backoffMs: () => 30, ...options });
      mailer.close();
      return { mailing, outcome, config };
    };

    it('retries temporary errors with back-off and does not retry permanent ones', async () => {
      refusals = new Map([['retry-0@exemple.fr', 2]]);
      await Subscription.deleteMany({});
      await subscribedContacts(1, { list: 'adherents', prefix: 'definitif' });
      const { mailing, outcome } = await run('retry', 3);
      expect(outcome).to.equal('sent');
      const rows = await deliveriesOf(mailing._id);
      const byEmail = Object.fromEntries(rows.map((r) => [r.email, r]));
      expect(byEmail['retry-0@exemple.fr']).to.include({ status: 'sent', attempts: 3 });
      expect(byEmail['retry-1@exemple.fr']).to.include({ status: 'sent', attempts: 1 });
      expect(byEmail['definitif-0@exemple.fr']).to.include({ status: 'failed', attempts: 1 });
      expect(byEmail['definitif-0@exemple.fr'].error).to.contain('550');
      expect(flaky.mails.filter((m) => m.rcptTo[0] === 'retry-0@exemple.fr')).to.have.length(1);
      expect(await mailingProgress(String(mailing._id))).to.include({ sent: 3, failed: 1, remaining: 0 });
    });

    it('pauses after too many consecutive failures with a French reason, and resumes on request', async () => {
      await Subscription.deleteMany({});
      const { mailing, outcome } = await run('panne', 12, { pauseAfter: 5, backoffMs: () => 60_000 });
      expect(outcome).to.equal('paused');
      const progress = await mailingProgress(String(mailing._id));
      expect(progress.status).to.equal('paused');
      expect(progress.pauseReason).to.match(/^Envoi suspendu après 5 échecs consécutifs\. Dernière réponse du serveur d'envoi : « .*421/);
      expect(progress.remaining).to.be.greaterThan(0);
      expect(flaky.mails.filter((m) => m.rcptTo[0].startsWith('panne-'))).to.have.length(0);
      // the server is repaired: the recipients are renamed so the fake server accepts them
      for (const d of await Delivery.find({ mailing: mailing._id }).lean()) await Delivery.updateOne({ _id: d._id }, { $set: { email: `ok${d.email}` } });
      const { client } = await clientAs(server, 'staff');
      const resumed = await client.post(`/api/mailings/${mailing._id}/resume`);
      expect(resumed.status).to.equal(200);
      expect(resumed.body.status).to.equal('sending');
      const config = testConfig({ SMTP_URL: flaky.url });
      // the scheduler's run uses the server's SMTP settings; run it here against the repaired server
      await until(async () => !(await Mailing.findById(mailing._id).lean())!.leaseOwner);
      const mailer = createMailer(config, 'bulk');
      await runMailing({ config, logger: silent }, String(mailing._id), { mailer, backoffMs: () => 30 });
      mailer.close();
      await until(async () => (await mailingProgress(String(mailing._id))).status === 'sent');
      const after = await mailingProgress(String(mailing._id));
      expect(after).to.include({ sent: 12, remaining: 0 });
      const again = await client.post(`/api/mailings/${mailing._id}/resume`);
      expect(again.status).to.equal(400);
      expect(again.body.error.message).to.contain('envoyé');
    });

    it('reports rows left in flight by a crash as uncertain and never sends them again', async () => {
      await Subscription.deleteMany({});
      await subscribedContacts(4, { list: 'adherents', prefix: 'incertain' });
      const mailing = await createMailing({ source: { kind: 'test', id: 'incertain' }, list: 'adherents', content: NEWSLETTER_CONTENT });
      await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', leaseOwner: 'elsewhere:1:x', leaseUntil: new Date(Date.now() - 1) } });
      await resolveAudience((await Mailing.findById(mailing._id).lean())!);
      const inFlight = (await Delivery.findOne({ mailing: mailing._id, email: 'incertain-2@exemple.fr' }).lean())!;
      const done = (await Delivery.findOne({ mailing: mailing._id, email: 'incertain-3@exemple.fr' }).lean())!;
      const event = (d: typeof done, kind: 'sending' | 'sent') => ({ _id: `${d._id}:1:${kind}`, delivery: d._id, mailing: mailing._id, event: kind, attempt: 1, at: new Date() });
      await insertEvents([event(inFlight, 'sending'), event(done, 'sending'), event(done, 'sent')]);
      const config = testConfig({ SMTP_URL: flaky.url });
      const mailer = createMailer(config, 'bulk');
      expect(await runMailing({ config, logger: silent }, String(mailing._id), { mailer })).to.equal('sent');
      mailer.close();
      const progress = await mailingProgress(String(mailing._id));
      expect(progress).to.include({ status: 'sent', total: 4, sent: 3, uncertain: 1, remaining: 0 });
      const states = Object.fromEntries((await deliveriesOf(mailing._id)).map((d) => [d.email, d.status]));
      expect(states['incertain-2@exemple.fr']).to.equal('uncertain');
      expect((await Mailing.findById(mailing._id).lean())!.uncertain).to.equal(1);
      const got = flaky.mails.filter((m) => m.rcptTo[0].startsWith('incertain-')).map((m) => m.rcptTo[0]).sort();
      expect(got).to.deep.equal(['incertain-0@exemple.fr', 'incertain-1@exemple.fr']);
    });
  });
});
