import { expect } from 'chai';
import { closeMailers, createMailer, isTemporaryFailure } from '../../server/delivery/mailer.js';
import { Outbox } from '../../server/delivery/outbox.model.js';
import { personalize } from '../../server/delivery/personalize.js';
import { sendTransactional } from '../../server/delivery/transactional.js';
import { renderPage } from '../../server/public/page.js';
import { clientAs, listPath, resetDatabase, startTestServer, testConfig, type TestServer } from '../helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

describe('mail transport, personalisation and the public page layout', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  it('substitutes every placeholder per recipient and escapes values in the HTML part only', () => {
    const content = {
      subject: 'Bonjour %%FIRST_NAME%%',
      html: '<p>%%FIRST_NAME%% %%LAST_NAME%% (%%EMAIL%%)</p><a href="%%UNSUBSCRIBE_URL%%">x</a><a href="%%PREFERENCES_URL%%">p</a><a href="%%BROWSER_URL%%">b</a>',
      text: '%%FIRST_NAME%% <%%EMAIL%%> %%UNSUBSCRIBE_URL%%',
    };
    const recipient = {
      firstName: 'Zoé <b>',
      lastName: "L'Hôte",
      email: 'zoe@exemple.fr',
      unsubscribeUrl: 'https://m.test/desabonnement/a?b=1&c=2',
      preferencesUrl: 'https://m.test/preferences/p',
      browserUrl: 'https://m.test/lettres/2026-10',
    };
    const one = personalize(content, recipient);
    expect(one.subject).to.equal('Bonjour Zoé <b>');
    expect(one.html).to.equal(
      '<p>Zoé &#60;b&#62; L&#39;Hôte (zoe@exemple.fr)</p><a href="https://m.test/desabonnement/a?b=1&#38;c=2">x</a><a href="https://m.test/preferences/p">p</a><a href="https://m.test/lettres/2026-10">b</a>',
    );
    expect(one.text).to.equal('Zoé <b> <zoe@exemple.fr> https://m.test/desabonnement/a?b=1&c=2');
    const two = personalize(content, { ...recipient, firstName: 'Ali', email: 'ali@exemple.fr' });
    expect(two.subject).to.equal('Bonjour Ali');
    expect(two.text).to.contain('<ali@exemple.fr>');
  });

  it('sends a transactional message through a real SMTP server with a text part', async () => {
    const config = testConfig({ SMTP_URL: smtp.url });
    await sendTransactional({ config }, { to: 'claire@exemple.fr', subject: 'Confirmez', html: '<p>Bonjour</p>', text: 'Bonjour' });
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('claire@exemple.fr'));
    expect(mail.parsed!.subject).to.equal('Confirmez');
    expect(mail.parsed!.text!.trim()).to.equal('Bonjour');
    expect(mail.parsed!.headers.get('auto-submitted')).to.equal('auto-generated');
    expect(mail.parsed!.from!.text).to.contain('Fabrique Territoires Santé');
    closeMailers(config);
  });

  it('keeps messages in the outbox without SMTP_URL, readable by staff at GET /api/outbox', async () => {
    const mailer = createMailer(server.ctx.config, 'transactional');
    expect(mailer.kind).to.equal('outbox');
    await mailer.send({ to: 'outbox@exemple.fr', subject: 'Dans la boîte', html: '<p>x</p>', text: 'x' });
    expect(await Outbox.countDocuments({ to: 'outbox@exemple.fr' })).to.equal(1);
    const { client } = await clientAs(server, 'staff');
    const reply = await client.get(listPath('outbox', { filter: { to: 'outbox@exemple.fr' } }));
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-range')).to.equal('outbox 0-0/1');
    expect(reply.body[0]).to.include({ subject: 'Dans la boîte', stream: 'transactional' });
    const board = (await clientAs(server, 'board')).client;
    expect((await board.get('/api/outbox')).status).to.equal(403);
    const bad = await client.get(listPath('outbox', { filter: { to: { $gt: '' } } }));
    expect(bad.status).to.equal(400);
    expect(bad.body.error.field).to.equal('filter.to');
  });

  it('tells temporary SMTP failures from permanent ones', () => {
    expect(isTemporaryFailure({ responseCode: 421 })).to.equal(true);
    expect(isTemporaryFailure({ responseCode: 451 })).to.equal(true);
    expect(isTemporaryFailure({ responseCode: 550 })).to.equal(false);
    expect(isTemporaryFailure({ code: 'ECONNECTION' })).to.equal(true);
    expect(isTemporaryFailure({ code: 'EENVELOPE' })).to.equal(false);
  });

  it('renders an accessible French page layout', () => {
    const page = renderPage({ title: 'Abonnement <test>', body: '<p>Corps</p>', config: server.ctx.config });
    expect(page).to.match(/^<!doctype html>/);
    expect(page).to.contain('<html lang="fr">');
    expect(page).to.contain('<title>Abonnement &#60;test&#62; – Fabrique Territoires Santé</title>');
    expect(page).to.contain('<main id="contenu"');
    expect(page).to.contain('href="#contenu"');
    expect(page).not.to.contain('<script');
  });
});
