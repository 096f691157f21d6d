import { expect } from 'chai';
import { closeMailers } from '../../server/delivery/mailer.js';
import { drainBackground } from '../../server/lib/background.js';
import { Stamp } from '../../server/lib/stamped-cache.js';
import { List, LISTS_STAMP } from '../../server/lists/list.model.js';
import { publicLists } from '../../server/lists/list.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';
import { vocabularyOf } from '../../server/vocabularies/vocabulary.service.js';
import { clientAs, newVisitor, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
  return body;
};
const subscribeForm = async (server: TestServer) => (await newVisitor(server).get('/abonnement')).text;

/** Polls `probe` until it holds (another process's change shows within the stamp's check interval). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The subscription form is built from lists, functions and themes kept in memory (a crowd on
 * /abonnement costs no query): every change staff make must show on the next page.
 */
describe('the subscription form follows what staff change in lists, functions and themes', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    staff = (await clientAs(server, 'staff')).client;
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  it('shows a list renamed by staff on the next page, and in the confirmation e-mail', async () => {
    expect(await subscribeForm(server)).to.contain('Lettre mensuelle');
    const list = await List.findOne({ code: 'lettre-mensuelle' }).lean();
    const renamed = await staff.put(`/api/lists/${list!._id}`, { name: 'La lettre des territoires', consentWording: 'Je veux la lettre des territoires.' });
    expect(renamed.status).to.equal(200);
    const page = await subscribeForm(server);
    expect(page).to.contain('La lettre des territoires').and.contain('Je veux la lettre des territoires.');
    expect(page).not.to.contain('Lettre mensuelle');
    const reply = await newVisitor(server).post('/abonnement', form({ email: 'renomme@exemple.fr', lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(200);
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('renomme@exemple.fr'));
    expect(mail.parsed!.text).to.contain('« La lettre des territoires »');
  });

  it('drops a list staff make private or deactivate, and refuses a post naming it', async () => {
    const created = await staff.post('/api/lists', { code: 'lettre-elus', name: 'Lettre des élus', public: true, consentWording: 'Je reçois la lettre des élus.' });
    expect(created.status).to.equal(201);
    expect(await subscribeForm(server)).to.contain('value="lettre-elus"');
    expect((await staff.delete(`/api/lists/${created.body.id}`)).status).to.equal(200);
    expect(await subscribeForm(server)).not.to.contain('lettre-elus');
    const reply = await newVisitor(server).post('/abonnement', form({ email: 'elu@exemple.fr', lists: 'lettre-elus' }));
    expect(reply.status).to.equal(400);
    expect(reply.text).to.contain('Choisissez au moins une liste.');
  });

  it('offers a function staff add, accepts it in a post, and drops it once deactivated', async () => {
    const added = await staff.post('/api/vocabularies', { kind: 'functions', code: 'animateur-sante', label: 'Animateur·rice santé' });
    expect(added.status).to.equal(201);
    expect(await subscribeForm(server)).to.contain('<option value="animateur-sante">Animateur·rice santé</option>');
    const reply = await newVisitor(server).post('/abonnement', form({ email: 'animateur@exemple.fr', function: 'animateur-sante', lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('Vérifiez votre messagerie');
    expect((await staff.delete(`/api/vocabularies/${added.body.id}`)).status).to.equal(200);
    expect(await subscribeForm(server)).not.to.contain('animateur-sante');
  });

  it('shows a theme staff rename or add, and accepts the new theme in a post', async () => {
    const theme = await Theme.findOne({ parent: null }).sort({ order: 1 }).lean();
    expect(await subscribeForm(server)).to.contain(`value="${theme!._id}"> ${theme!.name}</label>`);
    expect((await staff.put(`/api/themes/${theme!._id}`, { name: 'Santé mentale et bien-être' })).status).to.equal(200);
    expect(await subscribeForm(server)).to.contain(`value="${theme!._id}"> Santé mentale et bien-être</label>`);
    const added = await staff.post('/api/themes', { code: 'sante-et-climat', name: 'Santé et climat', order: 99 });
    expect(added.status).to.equal(201);
    expect(await subscribeForm(server)).to.contain(`value="${added.body.id}"> Santé et climat</label>`);
    const reply = await newVisitor(server).post('/abonnement', form({ email: 'theme@exemple.fr', themes: added.body.id, lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('Vérifiez votre messagerie');
  });

  it('follows writes made through the models by any code path: updates, bulk writes, inserts, deletes', async () => {
    await List.updateOne({ code: 'lettre-mensuelle' }, { $set: { name: 'Lettre par script' } });
    expect(await subscribeForm(server)).to.contain('Lettre par script');
    await Vocabulary.bulkWrite([{ updateOne: { filter: { kind: 'functions', code: 'animateur-sante' }, update: { $set: { active: true, label: 'Animateur santé (lot)' } } } }]);
    expect(await subscribeForm(server)).to.contain('Animateur santé (lot)');
    await Theme.insertMany([{ code: 'theme-insere', name: 'Thème inséré', order: 100 }]);
    expect(await subscribeForm(server)).to.contain('Thème inséré');
    await Theme.deleteMany({ code: 'theme-insere' });
    expect(await subscribeForm(server)).not.to.contain('Thème inséré');
  });

  it("shows another process's change within a few seconds", async () => {
    // Written by "another process": straight to the collection (no model hook) and the stamp changed by hand.
    await List.collection.updateOne({ code: 'lettre-mensuelle' }, { $set: { name: 'Lettre d’un autre processus' } });
    expect(await subscribeForm(server)).not.to.contain('Lettre d’un autre processus'); // still the page from memory
    await Stamp.updateOne({ _id: LISTS_STAMP }, { $set: { version: 'bumped-by-another-process' } }, { upsert: true });
    await eventually(async () => (await subscribeForm(server)).includes('Lettre d’un autre processus'));
  });

  it('answers the form before the e-mail leaves, and stopping the app waits for that e-mail', async () => {
    const reply = await newVisitor(server).post('/abonnement', form({ email: 'en-route@exemple.fr', lists: 'lettre-mensuelle' }));
    expect(reply.status).to.equal(200);
    await drainBackground(); // what stopping the app does once its HTTP server is closed
    const sent = smtp.mails.filter((m) => m.rcptTo.includes('en-route@exemple.fr'));
    expect(sent).to.have.length(1); // already accepted by the SMTP server, no waiting
    expect(sent[0].parsed!.subject).to.contain('Confirmez votre abonnement');
  });

  it('hands out frozen rows, so that no caller can spoil what the next one reads', async () => {
    const [list] = await publicLists();
    expect(() => Object.assign(list, { name: 'modifié' })).to.throw(TypeError);
    const functions = await vocabularyOf('functions');
    expect(() => (functions as unknown as unknown[]).push({})).to.throw(TypeError);
    expect((await publicLists())[0].name).to.equal(list.name);
  });
});
