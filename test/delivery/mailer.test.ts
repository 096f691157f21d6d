import { expect } from 'chai';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeMailers, createMailer, isTemporaryFailure, type ComposedMessage } from '../../server/delivery/mailer.js';
import { Outbox } from '../../server/delivery/outbox.model.js';
import { simpleParser } from 'mailparser';
import { bulkComposer } from '../../server/delivery/bulk-message.js';
import { personalize } from '../../server/delivery/personalize.js';
import { unsubscribeUrl, preferencesUrl } from '../../server/subscriptions/subscription.links.js';
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

  it('composes bulk messages that decode to exactly the personalised content, no line over 76 characters', async () => {
    const config = testConfig({ MAIL_FROM: 'Fabrique Territoires Santé <lettre@fts.test>' });
    const long = 'Les actualités du réseau : ateliers santé ville, contrats locaux de santé, conseils locaux de santé mentale. '.repeat(6);
    const content = {
      subject: 'Lettre de décembre pour %%FIRST_NAME%% — « égalité » = santé',
      html: `<p style="margin:0">Bonjour %%FIRST_NAME%%%%LAST_NAME%%,</p>\n<p>${long}</p>   \n<p>a=b ==%%EMAIL%%</p><a href="%%UNSUBSCRIBE_URL%%">x</a>\n.\n<a href="%%PREFERENCES_URL%%">%%BROWSER_URL%%</a>`,
      text: `%%FIRST_NAME%% ${long}\nfin de ligne   \n\n%%UNSUBSCRIBE_URL%%`,
    };
    const compose = bulkComposer(config, { code: 'lettre-mensuelle', name: 'Lettre mensuelle — réseau' }, content, 'https://m.test/lettres/2026-12');
    const recipient = { deliveryId: 'd1', mailingId: 'm1', contactId: '0123456789abcdef01234567', subscriptionId: '0123456789abcdef76543210', email: 'zoe@exemple.fr' };
    for (const names of [{ firstName: 'Zoé <b>', lastName: "L'Hôte=" }, { firstName: '', lastName: null }, { firstName: 'Ana\nMaria', lastName: 'x'.repeat(200) }]) {
      const message = compose({ ...recipient, ...names });
      expect(message).to.include({ to: 'zoe@exemple.fr', envelopeFrom: 'bounces+d1@fts.test' });
      const [head, ...body] = message.raw.split('\r\n\r\n');
      expect(body.join('\r\n\r\n').split('\r\n').filter((line) => line.length > 76)).to.deep.equal([]);
      // header lines fold at spaces; a long link has none
      expect(head.split('\r\n').filter((line) => line.length > 76 && / ./.test(line.trim()))).to.deep.equal([]);
      expect(message.raw.replace(/\r\n/g, '')).not.to.match(/[\r\n]/); // CRLF line breaks only
      const parsed = await simpleParser(message.raw);
      const expected = personalize(content, {
        ...names,
        email: recipient.email,
        unsubscribeUrl: unsubscribeUrl(config, recipient.subscriptionId),
        preferencesUrl: preferencesUrl(config, recipient.contactId),
        browserUrl: 'https://m.test/lettres/2026-12',
      });
      expect(parsed.subject).to.equal(expected.subject);
      expect(parsed.text).to.equal(expected.text);
      expect(parsed.html).to.equal(expected.html);
      expect(parsed.from!.value[0]).to.deep.include({ name: 'Fabrique Territoires Santé', address: 'lettre@fts.test' });
      const listId = (parsed.headers.get('list') as unknown as { id: { id: string; name: string } }).id;
      expect(listId).to.deep.equal({ id: 'lettre-mensuelle.fts.test', name: '=?UTF-8?Q?Lettre_mensuelle_=E2=80=94_r=C3=A9seau?=' });
      expect(parsed.messageId).to.equal('<d1.m1@fts.test>');
    }
  });

  it('composes bulk messages with no line starting with a dot, which arrive intact without dot-stuffing at send time', async () => {
    const config = testConfig({ SMTP_URL: smtp.url });
    const content = { subject: 'Points', html: '<p>.\n.début</p>\n.%%FIRST_NAME%%\n..fin', text: '.\n. %%FIRST_NAME%%\n%%FIRST_NAME%%\n.' };
    const compose = bulkComposer(config, { code: 'lettre-mensuelle', name: 'Lettre mensuelle' }, content, undefined);
    const message = compose({ deliveryId: 'd3', mailingId: 'm3', contactId: 'c', subscriptionId: 's', email: 'points@exemple.fr', firstName: '.Inès' });
    expect(message.raw).not.to.match(/(^|\r\n)\./);
    const mailer = createMailer(config, 'bulk');
    await mailer.send(message);
    mailer.close();
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('points@exemple.fr'));
    const expected = personalize(content, { firstName: '.Inès', email: 'points@exemple.fr', unsubscribeUrl: '', preferencesUrl: '' });
    expect(mail.parsed!.html).to.equal(expected.html);
    expect(mail.parsed!.text).to.equal(expected.text);
  });

  it("sends a lane's messages one after the other with the next envelope ahead, and never delivers one named as next but not sent", async () => {
    const receiver = await startSmtpReceiver({ reject: (rcpt) => (rcpt.startsWith('inconnu') ? { code: 550, message: '5.1.1 Utilisateur inconnu' } : undefined) });
    const config = testConfig({ SMTP_URL: receiver.url });
    const compose = bulkComposer(config, { code: 'lettre-mensuelle', name: 'Lettre mensuelle' }, { subject: 'Suite %%FIRST_NAME%%', html: '<p>Bonjour %%FIRST_NAME%%</p>', text: 'Bonjour %%FIRST_NAME%%' }, undefined);
    const message = (name: string, email = `${name}@exemple.fr`) => compose({ deliveryId: `d-${name}`, mailingId: 'm-suite', contactId: 'c', subscriptionId: 's', email, firstName: name });
    const [a, b, unknown, c, d] = [message('a'), message('b'), message('x', 'inconnu@exemple.fr'), message('c'), message('d')];
    const envelope = (m: ComposedMessage) => ({ from: m.envelopeFrom, to: m.to });
    const mailer = createMailer(config, 'bulk');
    const session = mailer.session!();
    expect((await session.send(a, envelope(b))).response).to.match(/^250/);
    await session.send(b, envelope(unknown)); // the unknown address's envelope goes out, and is refused, with b's end
    const refusal = await session.send(unknown, envelope(c)).catch((error: unknown) => error);
    expect(refusal).to.include({ code: 'EENVELOPE', responseCode: 550 });
    expect(isTemporaryFailure(refusal)).to.equal(false);
    await session.send(c, envelope(d)); // on a new connection
    session.end(); // d was named as next and never sent: its connection is dropped mid-DATA
    mailer.close();
    await receiver.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.mails.map((m) => [m.rcptTo[0], m.parsed!.subject])).to.deep.equal([
      ['a@exemple.fr', 'Suite a'],
      ['b@exemple.fr', 'Suite b'],
      ['c@exemple.fr', 'Suite c'],
    ]);
    const [first, second, third] = receiver.mails.map((m) => m.connection);
    expect(second).to.equal(first);
    expect(third).not.to.equal(first);
    await receiver.close();
  });

  it('sends the envelope one command at a time to a server without PIPELINING', async () => {
    const receiver = await startSmtpReceiver({ pipelining: false });
    const config = testConfig({ SMTP_URL: receiver.url });
    const compose = bulkComposer(config, { code: 'lettre-mensuelle', name: 'Lettre mensuelle' }, { subject: 'Pas à pas', html: '<p>Bonjour</p>', text: 'Bonjour' }, undefined);
    const [a, b] = ['a', 'b'].map((name) => compose({ deliveryId: `d-${name}`, mailingId: 'm-pas', contactId: 'c', subscriptionId: 's', email: `${name}@exemple.fr` }));
    const mailer = createMailer(config, 'bulk');
    const session = mailer.session!();
    await session.send(a, { from: b.envelopeFrom, to: b.to });
    await session.send(b);
    session.end();
    mailer.close();
    expect((await receiver.waitFor(2)).map((m) => m.rcptTo[0])).to.deep.equal(['a@exemple.fr', 'b@exemple.fr']);
    await receiver.close();
  });

  it('signs composed bulk messages with DKIM when configured', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-dkim-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config = testConfig({ SMTP_URL: smtp.url, DKIM_DOMAIN: 'fts.test', DKIM_SELECTOR: 'maillage', DKIM_PRIVATE_KEY_FILE: path.join(dir, 'dkim.pem') });
    const compose = bulkComposer(config, { code: 'lettre-mensuelle', name: 'Lettre mensuelle' }, { subject: 'Lettre', html: '<p>Bonjour  %%FIRST_NAME%%</p>', text: 'Bonjour %%FIRST_NAME%%' }, undefined);
    const mailer = createMailer(config, 'bulk');
    await mailer.send(compose({ deliveryId: 'd2', mailingId: 'm2', contactId: 'c', subscriptionId: 's', email: 'dkim@exemple.fr', firstName: 'Inès' }));
    mailer.close();
    rmSync(dir, { recursive: true });
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('dkim@exemple.fr'));
    const signature = mail.raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ').match(/^DKIM-Signature: (.+)$/m)![1];
    expect(signature).to.match(/\bd=fts\.test;/).and.match(/\bs=maillage;/);
    // the body hash covers the body as sent (relaxed canonicalisation, RFC 6376 §3.4.4)
    const body = mail.raw.slice(mail.raw.indexOf('\r\n\r\n') + 4);
    const relaxed = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, '')).join('\r\n').replace(/(\r\n)*$/, '\r\n');
    expect(signature).to.contain(`bh=${createHash('sha256').update(relaxed).digest('base64')};`);
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
