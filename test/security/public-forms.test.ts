import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import { closeMailers } from '../../server/delivery/mailer.js';
import { createLogger } from '../../server/lib/logger.js';
import { publicPageErrors } from '../../server/public/page-errors.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { createUser } from '../../server/users/user.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { newVisitor, resetDatabase, startTestServer, TEST_PASSWORD, type TestServer } from '../helpers.js';

const solicitation = (email: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({ email, firstName: 'Léa', lastName: 'Martin', type: 'mise-en-lien', message: 'Bonjour, une question sur les CLSM de notre territoire.', ...extra });
const subscription = (email: string, extra: Record<string, string> = {}) => new URLSearchParams({ email, lists: 'lettre-mensuelle', ...extra });

/** The public forms write to any address typed in them: they must not be usable to send mail to third parties. */
describe('public forms are not a mail cannon', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  const to = (address: string) => (mail: { rcptTo: string[] }) => mail.rcptTo.includes(address);
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url, PUBLIC_MAIL_HOURLY_CAP: '6' } });
    await createUser({ email: 'veille@fts.test', name: 'Veille', role: 'staff', password: TEST_PASSWORD });
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  it('refuses names with a link or other signs in both forms, naming the field, and sends nothing', async () => {
    const spam = { firstName: 'Gagnez', lastName: 'sur https://spam.example' };
    const form = await newVisitor(server).post('/sollicitation', solicitation('cible@exemple.fr', spam));
    expect(form.status).to.equal(400);
    expect(form.text).to.include('Le champ « Nom » ne peut contenir que des lettres');
    const domain = await newVisitor(server).post('/abonnement', subscription('cible@exemple.fr', { firstName: 'www.spam.example' }));
    expect(domain.status).to.equal(400);
    expect(domain.text).to.include('Prénom');
    const fine = await newVisitor(server).post('/abonnement', subscription('temoin@exemple.fr', { firstName: "Anne-Marie d'Orléans" }));
    expect(fine.status).to.equal(200);
    await smtp.waitFor(1, to('temoin@exemple.fr'));
    expect(smtp.mails.filter(to('cible@exemple.fr'))).to.have.length(0);
    expect(await Solicitation.countDocuments()).to.equal(0);
  });

  it('acknowledges an address at most once a day per form, and still records every request', async () => {
    for (let i = 0; i < 3; i++) expect((await newVisitor(server).post('/sollicitation', solicitation('repetee@exemple.fr'))).status).to.equal(200);
    for (let i = 0; i < 2; i++) expect((await newVisitor(server).post('/abonnement', subscription('repetee@exemple.fr'))).status).to.equal(200);
    expect((await newVisitor(server).post('/abonnement', subscription('controle@exemple.fr'))).status).to.equal(200);
    await smtp.waitFor(1, to('controle@exemple.fr')); // sent after the others were decided
    await smtp.waitFor(2, to('repetee@exemple.fr'));
    const received = smtp.mails.filter(to('repetee@exemple.fr')).map((m) => m.parsed!.subject);
    expect(received).to.have.length(2); // one acknowledgement, one confirmation
    expect(await Solicitation.countDocuments()).to.equal(3);
  });

  it('stops at the hourly cap for the whole site and alerts staff once', async () => {
    // 4 e-mails so far (témoin, répétée ×2, contrôle): the cap of 6 leaves 2.
    for (let i = 0; i < 5; i++) expect((await newVisitor(server).post('/abonnement', subscription(`foule-${i}@exemple.fr`))).status).to.equal(200);
    const [alert] = await smtp.waitFor(1, to('veille@fts.test'));
    expect(alert.parsed!.subject).to.include('plafond');
    expect(alert.parsed!.text).to.include('PUBLIC_MAIL_HOURLY_CAP');
    await smtp.waitFor(2, (m) => m.rcptTo.some((r) => r.startsWith('foule-')));
    expect((await newVisitor(server).post('/sollicitation', solicitation('apres-plafond@exemple.fr'))).status).to.equal(200);
    expect(await Solicitation.countDocuments()).to.equal(4); // recorded all the same
    expect(smtp.mails.filter((m) => m.rcptTo.some((r) => r.startsWith('foule-')))).to.have.length(2);
    expect(smtp.mails.filter(to('apres-plafond@exemple.fr'))).to.have.length(0);
    expect(smtp.mails.filter(to('veille@fts.test'))).to.have.length(1);
  });

  it('answers /sollicitation 429 as a French page', async () => {
    const visitor = newVisitor(server);
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 6; i++) {
      const reply = await visitor.post('/sollicitation', new URLSearchParams({ email: 'x' }));
      statuses.push(reply.status);
      last = reply.text;
    }
    expect(statuses.at(-1)).to.equal(429);
    expect(last).to.include('<html lang="fr">').and.to.include('Trop de tentatives');
  });

  it('renders an unexpected error of a public page as a French 500 page, logged', async () => {
    const lines: string[] = [];
    const app = express();
    app.get('/sollicitation', () => {
      throw new Error('database gone');
    });
    app.use(publicPageErrors(server.ctx.config, createLogger('error', { write: (line: string) => void lines.push(line) })));
    const listener: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const reply = await fetch(`http://127.0.0.1:${(listener.address() as { port: number }).port}/sollicitation`);
      expect(reply.status).to.equal(500);
      const text = await reply.text();
      expect(text).to.include('<html lang="fr">').and.to.include('Une erreur est survenue de notre côté');
      expect(text).not.to.include('database gone');
      expect(lines.join('')).to.include('database gone');
    } finally {
      listener.close();
    }
  });
});
