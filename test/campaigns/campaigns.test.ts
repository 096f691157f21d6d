import { expect } from 'chai';
import { eraseContact, createContact } from '../../server/contacts/contact.service.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Delivery } from '../../server/delivery/delivery.model.js';
import { Mailing, MailingContent } from '../../server/delivery/mailing.model.js';
import { CHECK_EVERY, CHECK_MIN_MS } from '../../server/delivery/sender.js';
import { parisInstant } from '../../server/lib/paris-time.js';
import { List } from '../../server/lists/list.model.js';
import { createOrganisation } from '../../server/organisations/organisation.service.js';
import { createSegment } from '../../server/segments/segment.service.js';
import { createSubscription, unsubscribe } from '../../server/subscriptions/subscription.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { suppress } from '../../server/suppressions/suppression.service.js';
import { subscribedContacts } from '../delivery/fixtures.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { Client, clientAs, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const BODY = `# Journée régionale des CLSM

Bonjour {{prenom|chère collègue}},

Nous vous invitons, vous et **{{organisation|votre structure}}**, à la journée du 12 mars :

- ateliers le matin ;
- plénière l'après-midi.

Le [programme complet](https://fts.test/programme?edition=2027&lieu=lille) est en ligne.

![Affiche](https://fts.test/affiche.png)

[[Je m'inscris]](https://fts.test/inscription)
`;

describe('campaigns: targeted mailings through a real SMTP server', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let nord: string;
  const people: Record<string, string> = {};

  const person = async (key: string, territory: string, organisation?: string) => {
    const contact = await createContact({ firstName: key[0].toUpperCase() + key.slice(1), lastName: 'Test', email: `${key}@reseau.test`, territories: [territory], ...(organisation ? { organisations: [organisation] } : {}) });
    people[key] = String(contact._id);
    return contact;
  };
  const subscribe = (key: string, list: string, status: 'subscribed' | 'pending' = 'subscribed') => createSubscription({ contact: people[key], list, status });
  const received = (subject: string) => smtp.mails.filter((m) => m.parsed?.subject === subject);
  const recipientsOf = (mails: ReceivedMail[]) => mails.map((m) => m.rcptTo[0]).sort();
  /** The header block, folded lines joined. */
  const headersOf = (mail: ReceivedMail) => mail.raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  /** Approves: the request answers at once (`preparing`), the job campaign:prepare freezes the audience. */
  const approve = async (campaignId: string) => {
    const reply = await staff.post(`/api/campaigns/${campaignId}/approve`);
    expect(reply.status).to.equal(200);
    expect(reply.body.status).to.equal('preparing');
    const campaign = await until(async () => (await staff.get(`/api/campaigns/${campaignId}`)).body, (c) => c.status !== 'preparing');
    expect(campaign.status).to.equal('approved');
    return campaign;
  };

  before(async function () {
    this.timeout(60_000);
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url, SMTP_RATE_PER_SECOND: '100' }, jobs: true });
    staff = (await clientAs(server, 'staff')).client;
    const letter = String((await List.findOne({ code: 'lettre-mensuelle' }).lean())!._id);
    const network = String((await List.findOne({ code: 'informations-reseau' }).lean())!._id);
    const mairie = await createOrganisation({ name: 'Ville de Lille', type: 'commune' });
    await person('alice', 'commune-59350', String(mairie._id));
    for (const key of ['bruno', 'chloe', 'emma', 'fanny', 'gael', 'hugo', 'ines']) await person(key, 'commune-59350');
    await person('denis', 'commune-75056');
    for (const key of ['alice', 'bruno', 'denis', 'emma', 'fanny', 'ines']) await subscribe(key, letter);
    await subscribe('chloe', letter, 'pending');
    await unsubscribe(String((await Subscription.findOne({ contact: people.bruno, list: letter }).lean())!._id), 'link');
    await suppress('emma@reseau.test', 'complaint');
    await suppress('fanny@reseau.test', 'hard-bounce');
    await subscribe('hugo', network);
    await unsubscribe(String((await Subscription.findOne({ contact: people.hugo, list: network }).lean())!._id), 'link');
    await eraseContact(people.ines);
    nord = String((await createSegment({ name: 'Nord', filter: { territories: ['departement-59'] } }))._id);
  });
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  describe('a campaign to a consent list restricted to a segment', () => {
    let id: string;
    let mails: ReceivedMail[];

    it('refuses an unknown personal field and a list that does not match the legal basis, naming the field', async () => {
      const unknown = await staff.post('/api/campaigns', { subject: 'Essai', list: 'lettre-mensuelle', body: 'Bonjour {{civilite}}' });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error).to.include({ field: 'body' });
      expect(unknown.body.error.message).to.contain('{{civilite}}');
      const mismatch = await staff.post('/api/campaigns', { subject: 'Essai', list: 'lettre-mensuelle', basis: 'legitimate-interest', body: 'x' });
      expect(mismatch.status).to.equal(400);
      expect(mismatch.body.error.field).to.equal('basis');
      const noList = await staff.post('/api/campaigns', { subject: 'Essai', basis: 'consent', body: 'x' });
      expect(noList.status).to.equal(400);
      expect(noList.body.error.field).to.equal('list');
    });

    it('shows the count, the exclusions by reason and a sample of names before approval', async () => {
      const created = await staff.post('/api/campaigns', {
        subject: 'Journée régionale, {{prenom|collègue}}',
        preheader: 'Le 12 mars à Lille',
        fromName: 'Équipe FTS — Hauts-de-France',
        body: BODY,
        list: 'lettre-mensuelle',
        segment: nord,
      });
      expect(created.status).to.equal(201);
      id = created.body.id;
      const draft = (await staff.get(`/api/campaigns/${id}`)).body;
      expect(draft).to.include({ status: 'draft', basis: 'consent', listName: 'Lettre mensuelle', segmentName: 'Nord' });
      // alice only: bruno unsubscribed, chloe pending, emma suppressed (complaint), fanny bounced; denis is outside the segment
      expect(draft.audience).to.deep.include({ count: 1, basis: 'consent' });
      expect(draft.audience.excluded).to.deep.equal({ 'not-subscribed': 1, unsubscribed: 1, objected: 0, bounced: 1, suppressed: 1, erased: 0 });
      expect(draft.audience.sample).to.deep.equal(['Alice Test (Ville de Lille)']);
    });

    it('renders the Markdown through the newsletter layout, with a text version and the personal fields', async () => {
      const preview = await staff.get(`/api/campaigns/${id}/preview.html`);
      expect(preview.text).to.include('<h1 style=').and.to.include('Bonjour Camille,').and.to.include('<strong>Ville de Saint-Denis</strong>');
      expect(preview.text).to.include('<li>ateliers le matin ;</li>').and.to.include('src="https://fts.test/affiche.png"');
      expect(preview.text).to.match(/<a href="https:\/\/fts\.test\/inscription" style="display:inline-block;[^"]*">Je m'inscris<\/a>/);
      expect(preview.text).to.include('Me désabonner').and.to.include('Gérer mes préférences').and.to.include('Fabrique Territoires Santé');
      const text = await staff.get(`/api/campaigns/${id}/preview.txt`);
      expect(text.text).to.include('Bonjour Camille,').and.to.include('https://fts.test/programme?edition=2027&lieu=lille');
    });

    it('sends a test with [Essai] in the subject, personalised with the fallback for an unknown address', async () => {
      const reply = await staff.post(`/api/campaigns/${id}/test`, { emails: ['relecture@fts.test'] });
      expect(reply.status).to.equal(200);
      const [mail] = await smtp.waitFor(1, (m) => m.rcptTo[0] === 'relecture@fts.test');
      expect(mail.parsed!.subject).to.equal('[Essai] Journée régionale, collègue');
      expect(mail.parsed!.text).to.include('Bonjour chère collègue,').and.to.include('votre structure');
    });

    it('freezes the audience at approval: the count shown is the count sent', async () => {
      const approved = await approve(id);
      expect(approved.audience).to.include({ count: 1 });
      expect(approved.audience.frozenAt).to.be.a('string');
      expect((await staff.put(`/api/campaigns/${id}`, { subject: 'Autre' })).status).to.equal(409);
      const sent = await staff.post(`/api/campaigns/${id}/send`);
      expect(sent.status).to.equal(202);
      const final = await until(async () => (await staff.get(`/api/campaigns/${id}`)).body, (c) => c.status === 'sent');
      expect(final.status).to.equal('sent');
      mails = received('Journée régionale, Alice');
      expect(recipientsOf(mails)).to.deep.equal(['alice@reseau.test']);
      expect(final.figures).to.include({ recipients: 1, accepted: 1, delivered: 1, hardBounces: 0, softBounces: 0, complaints: 0 });
      expect(final.progress).to.include({ total: 1, sent: 1, remaining: 0, preparing: false });
    });

    it('carries the bulk headers, a text part, the sender name, personal values, and links that name no recipient', async () => {
      const [mail] = mails;
      expect(mail.raw).to.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      expect(headersOf(mail)).to.match(/^List-Id: .*<lettre-mensuelle\./m);
      expect(headersOf(mail)).to.match(/^List-Unsubscribe: <http:\/\/maillage\.test\/desabonnement\/[^>]+>, <mailto:/m);
      expect(mail.parsed!.text).to.be.a('string').and.not.to.include('<p>');
      expect(mail.parsed!.from!.value[0]).to.include({ name: 'Équipe FTS — Hauts-de-France' });
      expect(mail.parsed!.text).to.include('Bonjour Alice,').and.to.include('Ville de Lille');
      expect(mail.parsed!.html).to.include('Bonjour Alice,');
      expect(mail.raw).not.to.include('%%');
      const links = [...(mail.parsed!.html as string).matchAll(/href="(http:\/\/maillage\.test\/l\/[^"]+)"/g)].map((m) => m[1]);
      expect(links).to.have.length(2);
      for (const link of links) {
        expect(link).not.to.include(people.alice);
        expect(link).not.to.include('alice');
        expect(mail.parsed!.text).to.include(link);
      }
      expect(mail.parsed!.html).not.to.include('https://fts.test/programme');
      // no tracking pixel: the only image is the one written in the message
      const images = [...(mail.parsed!.html as string).matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => m[1]);
      expect(images).to.deep.equal(['https://fts.test/affiche.png']);
    });

    it('counts clicks per link in aggregate, answers 302 to the original URL, and is no open redirect', async () => {
      const [mail] = mails;
      const links = [...(mail.parsed!.html as string).matchAll(/href="http:\/\/maillage\.test(\/l\/[^"]+)"/g)].map((m) => m[1]);
      const visitor = new Client(server.url);
      const first = await visitor.get(links[0]);
      expect(first.status).to.equal(302);
      expect(first.headers.get('location')).to.equal('https://fts.test/programme?edition=2027&lieu=lille');
      await visitor.get(links[0]);
      const button = await visitor.get(`${links[1]}?url=https://ailleurs.test/`);
      expect(button.headers.get('location')).to.equal('https://fts.test/inscription');
      for (const bogus of ['/l/inconnu-123456', '/l/https%3A%2F%2Failleurs.test', '/l/..%2F..']) {
        const reply = await visitor.get(bogus);
        expect(reply.status).to.equal(404);
        expect(reply.headers.get('location')).to.equal(null);
      }
      const campaign = (await staff.get(`/api/campaigns/${id}`)).body;
      expect(campaign.clicks.map((c: { url: string; clicks: number; label: string }) => [c.url, c.clicks, c.label])).to.deep.equal([
        ['https://fts.test/programme?edition=2027&lieu=lille', 2, 'programme complet'],
        ['https://fts.test/inscription', 1, "Je m'inscris"],
      ]);
    });

    it('duplicates a past campaign into a new draft', async () => {
      const copy = await staff.post(`/api/campaigns/${id}/duplicate`);
      expect(copy.status).to.equal(201);
      expect(copy.body).to.include({ status: 'draft', subject: 'Journée régionale, {{prenom|collègue}}', body: BODY, segment: nord, duplicatedFrom: id });
      expect(copy.body.mailing).to.equal(null);
    });
  });

  describe('a campaign under legitimate interest ("Informations du réseau")', () => {
    it('reaches the professional contacts of the segment, less the objecting, suppressed, erased and bounced', async () => {
      const wide = await staff.post('/api/campaigns', { subject: 'Appel à contributions', basis: 'legitimate-interest', body: 'Bonjour,\n\nContribuez !' });
      expect(wide.status).to.equal(201);
      const whole = (await staff.get(`/api/campaigns/${wide.body.id}`)).body.audience;
      expect(whole.excluded).to.include({ objected: 1, suppressed: 1, bounced: 1, erased: 1 });
      expect(whole.count).to.equal(5); // alice, bruno, chloe, denis, gael
      await staff.put(`/api/campaigns/${wide.body.id}`, { segment: nord });
      const approved = await approve(wide.body.id);
      expect(approved.audience.count).to.equal(4);
      await staff.post(`/api/campaigns/${wide.body.id}/send`);
      const final = await until(async () => (await staff.get(`/api/campaigns/${wide.body.id}`)).body, (c) => c.status === 'sent');
      expect(recipientsOf(received('Appel à contributions'))).to.deep.equal(['alice@reseau.test', 'bruno@reseau.test', 'chloe@reseau.test', 'gael@reseau.test']);
      expect(final.figures.accepted).to.equal(approved.audience.count);
      const mail = received('Appel à contributions').find((m) => m.rcptTo[0] === 'gael@reseau.test')!;
      expect(mail.parsed!.text!.replace(/\s+/g, ' ')).to.include('intérêt légitime').and.to.include('opposer');
      expect(headersOf(mail)).to.match(/^List-Id: .*<informations-reseau\./m);
      // gael objects through the link of the message: the next campaign leaves him out
      const unsubscribeLink = /href="http:\/\/maillage\.test(\/desabonnement\/[^"]+)"/.exec(mail.parsed!.html as string)![1];
      const oneClick = await new Client(server.url).post(unsubscribeLink, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(oneClick.status).to.equal(200);
      const next = await staff.post('/api/campaigns', { subject: 'Suite', basis: 'legitimate-interest', segment: nord, body: 'x' });
      const audience = (await staff.get(`/api/campaigns/${next.body.id}`)).body.audience;
      expect(audience).to.include({ count: 3 });
      expect(audience.excluded.objected).to.equal(2);
    });
  });

  describe('scheduling, cancelling and resuming', function () {
    this.timeout(90_000); // hundreds of messages through a real SMTP server on a shared machine
    it('reads a wall-clock time as Paris time (winter and summer)', () => {
      expect(parisInstant('2026-12-02T10:00').toISOString()).to.equal('2026-12-02T09:00:00.000Z');
      expect(parisInstant('2027-07-01T10:00').toISOString()).to.equal('2027-07-01T08:00:00.000Z');
    });

    it('sends a scheduled campaign at its time, not before', async () => {
      const created = await staff.post('/api/campaigns', { subject: 'Programmé', list: 'lettre-mensuelle', segment: nord, body: 'À l’heure dite.' });
      const id = created.body.id;
      await approve(id);
      const at = new Date(Date.now() + 2500);
      const scheduled = await staff.post(`/api/campaigns/${id}/send`, { at: at.toISOString() });
      expect(scheduled.status).to.equal(202);
      expect(scheduled.body).to.include({ status: 'approved', scheduledAt: at.toISOString() });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(received('Programmé')).to.have.length(0);
      const [mail] = await smtp.waitFor(1, (m) => m.parsed?.subject === 'Programmé', 15_000);
      expect(Date.now()).to.be.at.least(at.getTime());
      expect(mail.rcptTo[0]).to.equal('alice@reseau.test');
    });

    it('stops a send midway on cancel within a few messages; what was sent stays counted, the rest never goes', async () => {
      await subscribedContacts(600, { prefix: 'annule', domain: 'annule.test' });
      const created = await staff.post('/api/campaigns', { subject: 'Annulé en route', list: 'lettre-mensuelle', body: 'Message long à envoyer.' });
      const id = created.body.id;
      const approved = await approve(id);
      expect(approved.audience.count).to.equal(602); // + alice and denis
      await staff.post(`/api/campaigns/${id}/send`);
      await smtp.waitFor(10, (m) => m.parsed?.subject === 'Annulé en route', 40_000);
      const cancelled = await staff.post(`/api/campaigns/${id}/cancel`);
      expect(cancelled.status).to.equal(200);
      const atCancel = received('Annulé en route').length;
      await until(async () => !(await Mailing.findById(cancelled.body.mailing).lean())!.leaseOwner, (free) => free);
      const atStop = received('Annulé en route').length;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(received('Annulé en route').length).to.equal(atStop);
      // the sender reads the status every CHECK_EVERY messages, CHECK_MIN_MS apart at least (its
      // lanes waiting for the answer); past that, only the messages in flight at the cancel and at
      // the check may still leave. In CHECK_MIN_MS, the rate limit lets through its share of two
      // one-second windows at most (the end of one and the start of the next).
      const { maxConnections: connections, ratePerSecond } = server.ctx.config.smtp;
      const betweenChecks = Math.max(CHECK_EVERY, Math.ceil((2 * ratePerSecond * CHECK_MIN_MS) / 1000));
      expect(atStop - atCancel).to.be.at.most(betweenChecks + 2 * connections);
      expect(atStop).to.be.below(602);
      console.log(`      (${atCancel} received when the cancel answered, ${atStop} in all: ${atStop - atCancel} after it)`);
      const final = (await staff.get(`/api/campaigns/${id}`)).body;
      expect(final.status).to.equal('cancelled');
      expect(final.figures.accepted).to.equal(atStop);
      expect(final.progress).to.include({ status: 'cancelled', sent: atStop, remaining: 602 - atStop });
      expect((await staff.post(`/api/campaigns/${id}/resume`)).status).to.equal(409);
    });

    it('reopens an approval being prepared (or just prepared): back to draft, nothing frozen is kept', async function () {
      this.timeout(90_000);
      const created = await staff.post('/api/campaigns', { subject: 'Repris en main', list: 'lettre-mensuelle', segment: nord, body: 'Bonjour.' });
      const id = created.body.id;
      const reply = await staff.post(`/api/campaigns/${id}/approve`);
      expect(reply.body.status).to.equal('preparing');
      const reopened = await staff.post(`/api/campaigns/${id}/reopen`);
      expect(reopened.status).to.equal(200);
      expect(reopened.body.status).to.equal('draft');
      // whatever the preparation did meanwhile is dropped once it sees the campaign reopened
      await until(async () => Mailing.countDocuments({ 'source.kind': 'campaign', 'source.id': id }), (n) => n === 0, 60_000);
      expect(await Mailing.countDocuments({ 'source.kind': 'campaign', 'source.id': id })).to.equal(0);
      expect((await staff.get(`/api/campaigns/${id}`)).body).to.include({ status: 'draft', mailing: null });
      const again = await approve(id);
      expect(again.audience.count).to.equal(1);
    });

    it("reopens an approved campaign: its frozen mailing goes, with its content and recipients", async () => {
      const created = await staff.post('/api/campaigns', { subject: 'Approuvée puis reprise', list: 'lettre-mensuelle', segment: nord, body: 'Bonjour.' });
      const { mailing } = await approve(created.body.id);
      expect(await Delivery.countDocuments({ mailing })).to.equal(1);
      expect((await staff.post(`/api/campaigns/${created.body.id}/reopen`)).body.status).to.equal('draft');
      expect(await Mailing.exists({ _id: mailing })).to.equal(null);
      expect(await MailingContent.exists({ _id: mailing })).to.equal(null);
      expect(await Delivery.countDocuments({ mailing })).to.equal(0);
    });
  });

  describe('in the activity report', () => {
    it('is quoted: campaigns sent in the year and the recipients reached', async () => {
      const year = new Date().getFullYear();
      const report = (await staff.get(`/api/reports/activity?year=${year}`)).body;
      expect(report.campaigns.sent).to.be.at.least(4);
      expect(report.campaigns.recipients).to.be.at.least(report.campaigns.sent);
      const markdown = (await staff.get(`/api/reports/activity?year=${year}&format=md`)).text;
      expect(markdown).to.match(new RegExp(`En ${year}, \\d+ envois ciblés sont partis vers [\\d\u202f\u00a0 ]+ destinataires au total\\.`));
    });
  });
});
