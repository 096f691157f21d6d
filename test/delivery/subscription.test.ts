import { expect } from 'chai';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { createContact } from '../../server/contacts/contact.service.js';
import { RateCounter } from '../../server/lib/rate-limit.js';
import { signToken } from '../../server/lib/tokens.js';
import { List } from '../../server/lists/list.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { preferencesUrl, unsubscribeUrl } from '../../server/subscriptions/subscription.links.js';
import { isSuppressed } from '../../server/suppressions/suppression.service.js';
import { Client, newVisitor, clientAs, listPath, resetDatabase, startTestServer, TEST_SECRET, type TestServer } from '../helpers.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from './smtp-receiver.js';

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
  return body;
};
const linkIn = (mail: ReceivedMail, path: string) => {
  const match = new RegExp(`http://maillage\\.test(${path}[A-Za-z0-9._~-]+)`).exec(mail.parsed!.text!);
  if (!match) throw new Error(`no ${path} link in: ${mail.parsed!.text}`);
  return match[1];
};

describe('subscriptions: double opt-in, preferences and unsubscription on the public pages', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let visitor: Client;
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    visitor = new Client(server.url);
  });
  beforeEach(() => (visitor = newVisitor(server))); // a fresh address: the per-address limits start afresh
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  it('seeds the three reference lists, the monthly letter being public with double opt-in', async () => {
    const lists = await List.find({}).sort({ order: 1 }).lean();
    expect(lists.map((l) => l.code)).to.deep.equal(['lettre-mensuelle', 'informations-reseau', 'adherents']);
    expect(lists[0]).to.include({ public: true, doubleOptIn: true, name: 'Lettre mensuelle' });
    expect(lists[1]).to.include({ public: false, legalBasis: 'legitimate-interest' });
  });

  it('shows a French subscription form that works without JavaScript, with a honeypot', async () => {
    const page = await visitor.get('/abonnement');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(page.text).to.contain('<html lang="fr">').and.contain('method="post" action="/abonnement"');
    expect(page.text).to.contain('<label for="email">Adresse e-mail (obligatoire)</label>');
    expect(page.text).to.contain('name="website"').and.contain('value="lettre-mensuelle" checked');
    expect(page.text).not.to.contain('<script');
  });

  it('runs the double opt-in journey end to end: form, e-mail, link, subscribed with consent proof', async () => {
    const reply = await visitor.post('/abonnement', form({ email: 'Zoe.Martin@Exemple.fr', firstName: 'Zoé', lastName: 'Martin', territory: 'Seine-Saint-Denis', lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('Vérifiez votre messagerie');
    expect(await Contact.countDocuments({ email: 'zoe.martin@exemple.fr' })).to.equal(0); // nothing before the address is proven
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('zoe.martin@exemple.fr'));
    expect(mail.parsed!.subject).to.contain('Confirmez votre abonnement');
    expect(mail.parsed!.html).to.contain('Je confirme mon abonnement');
    expect(mail.parsed!.headers.has('list-unsubscribe')).to.equal(false); // transactional, not bulk
    const confirm = await visitor.get(linkIn(mail, '/abonnement/confirmer/'));
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.contain('Abonnement confirmé').and.contain('« Lettre mensuelle »');
    const contact = await Contact.findOne({ email: 'zoe.martin@exemple.fr' }).lean();
    expect(contact).to.include({ firstName: 'Zoé', lastName: 'Martin' });
    expect(contact!.territories).to.deep.equal(['departement-93']);
    const subscription = await Subscription.findOne({ contact: contact!._id }).lean();
    expect(subscription).to.include({ status: 'subscribed', source: 'form' });
    expect(subscription!.consent.source).to.equal('form');
    expect(subscription!.consent.ip).to.equal(visitor.defaultHeaders['x-forwarded-for']); // the visitor's address
    expect(subscription!.consent.confirmedIp).to.equal(visitor.defaultHeaders['x-forwarded-for']);
    expect(subscription!.consent.wording).to.contain("J'accepte de recevoir la lettre mensuelle");
    expect(subscription!.consent.confirmedAt!.getTime()).to.be.at.least(subscription!.consent.at.getTime());
    // the link is idempotent
    expect((await visitor.get(linkIn(mail, '/abonnement/confirmer/'))).status).to.equal(200);
    expect(await Subscription.countDocuments({ contact: contact!._id })).to.equal(1);
  });

  it('answers a known and an unknown address identically, and e-mails each what fits', async () => {
    // A day after the journey above: its confirmation no longer holds back this address's next e-mail.
    await RateCounter.deleteMany({ _id: /^public-mail:/ });
    const known = await visitor.post('/abonnement', form({ email: 'zoe.martin@exemple.fr', lists: 'lettre-mensuelle' }));
    const unknown = await visitor.post('/abonnement', form({ email: 'inconnu@exemple.fr', lists: 'lettre-mensuelle' }));
    expect(known.status).to.equal(unknown.status);
    expect(known.text).to.equal(unknown.text);
    const [toKnown] = await smtp.waitFor(1, (m) => m.rcptTo.includes('zoe.martin@exemple.fr') && m.parsed!.subject!.startsWith('Votre abonnement'));
    expect(toKnown.parsed!.text).to.contain('déjà abonné·e').and.contain('/preferences/');
    expect(smtp.mails.filter((m) => m.rcptTo.includes('zoe.martin@exemple.fr') && m.parsed!.subject!.startsWith('Confirmez'))).to.have.length(1);
    const [toUnknown] = await smtp.waitFor(1, (m) => m.rcptTo.includes('inconnu@exemple.fr'));
    expect(toUnknown.parsed!.text).to.contain('/abonnement/confirmer/');
  });

  it('takes about the same time to answer for a known and an unknown address', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await visitor.post('/abonnement', form({ email, lists: 'lettre-mensuelle' }));
      return performance.now() - started;
    };
    const known_ = await createContact({ email: 'connu@exemple.fr' });
    const letter = await List.findOne({ code: 'lettre-mensuelle' });
    await Subscription.create({ contact: known_._id, list: letter!._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff' } });
    await time('echauffement@exemple.fr');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time('connu@exemple.fr'));
      unknown.push(await time(`personne-${i}@exemple.fr`));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    // The e-mail is rendered and sent after the answer: no SMTP or MJML time in either.
    const [k, u] = [median(known), median(unknown)];
    expect(Math.abs(k - u), `known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`).to.be.below(Math.max(40, Math.max(k, u) * 0.75));
  });

  it('does nothing for a filled honeypot but answers the same page', async () => {
    const reply = await visitor.post('/abonnement', form({ email: 'robot@exemple.fr', lists: 'lettre-mensuelle', website: 'http://spam' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('Vérifiez votre messagerie');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smtp.mails.filter((m) => m.rcptTo.includes('robot@exemple.fr'))).to.have.length(0);
  });

  it('re-shows the form with a French message naming a bad field, and writes nothing', async () => {
    const before = await Contact.countDocuments({});
    const reply = await visitor.post('/abonnement', form({ email: 'pas-une-adresse', firstName: '<b>Zoé</b>', lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(400);
    expect(reply.text).to.contain('Adresse e-mail : adresse e-mail invalide').and.contain('aria-invalid="true"');
    expect(reply.text).to.contain('value="&#60;b&#62;Zoé&#60;/b&#62;"');
    const operator = await visitor.post('/abonnement', 'email[$gt]=&lists=lettre-mensuelle', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(operator.status).to.equal(400);
    const theme = await visitor.post('/abonnement', form({ email: 'ok@exemple.fr', lists: 'lettre-mensuelle', themes: '0123456789abcdef01234567' }));
    expect(theme.status).to.equal(400);
    expect(theme.text).to.contain('themes');
    expect(await Contact.countDocuments({})).to.equal(before);
  });

  it('refuses forged, expired and other-purpose links with the same page, revealing nothing', async () => {
    const real = signToken(TEST_SECRET, {
      purpose: 'subscription-confirm',
      subject: JSON.stringify({ email: 'x@exemple.fr', lists: [], at: Date.now() }),
      expiresAt: Date.now() + 60_000,
    });
    const forged = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
    const expired = signToken(TEST_SECRET, {
      purpose: 'subscription-confirm',
      subject: JSON.stringify({ email: 'x@exemple.fr', lists: [], at: Date.now() }),
      expiresAt: Date.now() - 1000,
    });
    const otherSecret = signToken('another-secret-another-secret-another', { purpose: 'subscription-confirm', subject: '{}', expiresAt: Date.now() + 60_000 });
    const contact = await Contact.findOne({ email: 'zoe.martin@exemple.fr' });
    const otherPurpose = unsubscribeUrl(server.ctx.config, String(contact!._id)).split('/').pop()!;
    const replies = await Promise.all([forged, expired, otherSecret, otherPurpose, 'n-importe-quoi'].map((t) => visitor.get(`/abonnement/confirmer/${t}`)));
    for (const reply of replies) {
      expect(reply.status).to.equal(400);
      expect(reply.text).to.equal(replies[0].text);
    }
    expect(replies[0].text).to.contain("Ce lien n'est pas valide ou a expiré.");
    expect(await Contact.countDocuments({ email: 'x@exemple.fr' })).to.equal(0);
    const prefs = await visitor.get(`/preferences/${otherPurpose}`);
    expect(prefs.status).to.equal(400);
  });

  it('never unsubscribes on GET; the unsubscribe page shows a confirm button', async () => {
    const subscription = await Subscription.findOne({ status: 'subscribed' });
    const path = unsubscribeUrl(server.ctx.config, String(subscription!._id)).replace('http://maillage.test', '');
    const page = await visitor.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Confirmer le désabonnement').and.contain('<form method="post">');
    expect((await Subscription.findById(subscription!._id).lean())!.status).to.equal('subscribed');
  });

  it('unsubscribes at once on the RFC 8058 one-click POST and answers 200', async () => {
    const contact = await createContact({ email: 'oneclick@exemple.fr', firstName: 'Un' });
    const list = await List.findOne({ code: 'lettre-mensuelle' });
    const subscription = await Subscription.create({ contact: contact._id, list: list!._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff' } });
    const path = unsubscribeUrl(server.ctx.config, String(subscription._id)).replace('http://maillage.test', '');
    const reply = await visitor.post(path, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(reply.status).to.equal(200);
    expect(reply.text).to.equal('');
    const after = await Subscription.findById(subscription._id).lean();
    expect(after).to.include({ status: 'unsubscribed', unsubscribeSource: 'one-click' });
    expect(after!.unsubscribedAt).to.be.instanceOf(Date);
    // multipart/form-data, as some providers send it, works too
    await Subscription.updateOne({ _id: subscription._id }, { $set: { status: 'subscribed' } });
    const multipart = new FormData();
    multipart.append('List-Unsubscribe', 'One-Click');
    expect((await visitor.post(path, multipart)).status).to.equal(200);
    expect((await Subscription.findById(subscription._id).lean())!.status).to.equal('unsubscribed');
    // a forged one-click is refused without a page
    const forged = await visitor.post(path.slice(0, -3) + 'xyz', 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(forged.status).to.equal(400);
  });

  it('unsubscribes through the confirm button of the page', async () => {
    const subscription = await Subscription.findOne({ status: 'subscribed' });
    const path = unsubscribeUrl(server.ctx.config, String(subscription!._id)).replace('http://maillage.test', '');
    const reply = await visitor.post(path, form({ confirm: '1' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('vous ne recevrez plus « Lettre mensuelle »');
    expect(await Subscription.findById(subscription!._id).lean()).to.include({ status: 'unsubscribed', unsubscribeSource: 'link' });
  });

  it('lets a subscriber change lists and themes on the preference page, then leave everything', async () => {
    const contact = await createContact({ email: 'prefs@exemple.fr', firstName: 'Pia' });
    const [letter, network] = await Promise.all([List.findOne({ code: 'lettre-mensuelle' }), List.findOne({ code: 'informations-reseau' })]);
    await Subscription.create({ contact: contact._id, list: network!._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff' } });
    const path = preferencesUrl(server.ctx.config, String(contact._id)).replace('http://maillage.test', '');
    const page = await visitor.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Lettre mensuelle').and.contain('Informations du réseau').and.not.contain('Adhérents');
    const themeId = /name="themes" value="([a-f0-9]{24})"/.exec(page.text)![1];
    const saved = await visitor.post(path, form({ lists: String(letter!._id), themes: themeId, action: 'save' }));
    expect(saved.status).to.equal(200);
    expect(saved.text).to.contain('Vos préférences sont enregistrées.');
    const subs = await Subscription.find({ contact: contact._id }).lean();
    expect(subs.find((s) => String(s.list) === String(letter!._id))).to.include({ status: 'subscribed', source: 'preferences' });
    expect(subs.find((s) => String(s.list) === String(network!._id))).to.include({ status: 'unsubscribed', unsubscribeSource: 'preferences' });
    expect((await Contact.findById(contact._id).lean())!.themes.map(String)).to.deep.equal([themeId]);
    const left = await visitor.post(path, form({ action: 'leave' }));
    expect(left.text).to.contain('Vous ne recevrez plus aucun envoi');
    expect(await Subscription.countDocuments({ contact: contact._id, status: 'subscribed' })).to.equal(0);
    expect(await isSuppressed('prefs@exemple.fr')).to.equal(true);
  });

  it('limits the subscription form per IP and answers 429 with a French page', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await visitor.post('/abonnement', form({ email: 'pas-une-adresse', lists: 'lettre-mensuelle' }))).status);
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(400));
    const blocked = await visitor.post('/abonnement', form({ email: 'a@exemple.fr', lists: 'lettre-mensuelle' }));
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.contain('Trop de tentatives');
  });

  describe('staff API', () => {
    it('lists the lists with their subscriber counts and lets staff add one', async () => {
      const { client } = await clientAs(server, 'staff');
      const lists = await client.get(listPath('lists', { sort: ['order', 'ASC'] }));
      expect(lists.status).to.equal(200);
      expect(lists.headers.get('content-range')).to.equal('lists 0-2/3');
      expect(lists.body[0]).to.include({ code: 'lettre-mensuelle' }).and.have.property('subscribers').that.is.a('number');
      const created = await client.post('/api/lists', { code: 'elus', name: 'Élus locaux' });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ code: 'elus', public: false });
      const renamed = await client.put(`/api/lists/${created.body.id}`, { ...created.body, name: 'Élu·es locaux' });
      expect(renamed.body.name).to.equal('Élu·es locaux');
      const bad = await client.post('/api/lists', { code: 'Pas Bon', name: 'x' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.field).to.equal('code');
    });

    it('subscribes a contact for staff with a consent proof, filters, and refuses a suppressed address', async () => {
      const { client } = await clientAs(server, 'staff');
      const contact = await createContact({ email: 'staff-sub@exemple.fr' });
      const list = await List.findOne({ code: 'informations-reseau' });
      const created = await client.post('/api/subscriptions', { contact: String(contact._id), list: String(list!._id) });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ status: 'subscribed', source: 'staff' });
      expect(created.body.consent).to.include({ source: 'staff' });
      const filtered = await client.get(listPath('subscriptions', { filter: { contact: String(contact._id), status: ['subscribed'] } }));
      expect(filtered.body).to.have.length(1);
      const unsub = await client.put(`/api/subscriptions/${created.body.id}`, { ...created.body, status: 'unsubscribed' });
      expect(unsub.body).to.include({ status: 'unsubscribed', unsubscribeSource: 'staff' });
      const bad = await client.get(listPath('subscriptions', { filter: { contact: { $gt: '' } } }));
      expect(bad.status).to.equal(400);
      expect(bad.body.error.field).to.equal('filter.contact');
      const prefs = await Contact.findOne({ email: 'prefs@exemple.fr' });
      const refused = await client.post('/api/subscriptions', { contact: String(prefs!._id), list: String(list!._id) });
      expect(refused.status).to.equal(400);
      expect(refused.body.error.message).to.contain('exclue des envois');
      const board = (await clientAs(server, 'board')).client;
      expect((await board.post('/api/subscriptions', { contact: String(contact._id), list: String(list!._id) })).status).to.equal(403);
    });

    it('never subscribes staff-added contacts to a double opt-in list without a confirmation request or a recorded consent', async () => {
      const { client } = await clientAs(server, 'staff');
      const letter = await List.findOne({ code: 'lettre-mensuelle' });
      const asked = await createContact({ email: 'demande-staff@exemple.fr', firstName: 'Lina' });
      const known = await createContact({ email: 'consent-papier@exemple.fr' });
      const body = (contact: { _id: unknown }, consent?: unknown) => ({ contact: String(contact._id), list: String(letter!._id), ...(consent ? { consent } : {}) });

      const bare = await client.post('/api/subscriptions', body(asked));
      expect(bare.status).to.equal(400);
      expect(bare.body.error.field).to.equal('consent');
      expect(bare.body.error.message).to.contain('double confirmation');
      const noSource = await client.post('/api/subscriptions', body(known, { mode: 'existing' }));
      expect(noSource.body.error.field).to.equal('consent.evidence');
      expect(await Subscription.countDocuments({ contact: { $in: [asked._id, known._id] } })).to.equal(0);

      const requested = await client.post('/api/subscriptions', body(asked, { mode: 'request' }));
      expect(requested.status).to.equal(201);
      expect(requested.body.status).to.equal('pending');
      const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('demande-staff@exemple.fr'));
      expect(mail.parsed!.subject).to.contain('Confirmez votre abonnement');
      await new Client(server.url).get(linkIn(mail, '/abonnement/confirmer/'));
      expect(await Subscription.findOne({ contact: asked._id, list: letter!._id }).lean()).to.include({ status: 'subscribed' });

      const recorded = await client.post('/api/subscriptions', body(known, { mode: 'existing', evidence: 'Bulletin papier, rencontre du 12 mars', at: '2026-03-12' }));
      expect(recorded.status).to.equal(201);
      expect(recorded.body.status).to.equal('subscribed');
      expect(recorded.body.consent).to.include({ source: 'staff', evidence: 'Bulletin papier, rencontre du 12 mars', at: '2026-03-12T12:00:00.000Z' });
    });

    it("refuses to re-subscribe someone who unsubscribed themselves", async () => {
      const { client } = await clientAs(server, 'staff');
      const subscription = await Subscription.findOne({ unsubscribeSource: 'one-click' });
      const reply = await client.put(`/api/subscriptions/${subscription!._id}`, { status: 'subscribed' });
      expect(reply.status).to.equal(400);
      expect(reply.body.error.field).to.equal('status');
    });
  });
});
