import { expect } from 'chai';
import { closeMailers } from '../../server/delivery/mailer.js';
import { EvaluationClaim, EventEvaluation, Registration } from '../../server/events/event.model.js';
import { Client, clientAs, newVisitor, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { pdfText } from '../pdf-text.js';
import { eventInput, form, linkIn } from './helpers.js';

describe('events: check-in, attendance import, evaluation link used once, segment and attendance list', function () {
  this.timeout(60_000);
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let visitor: Client;
  let event: { id: string; slug: string };
  const registrationOf = async (email: string) => (await staff.get(`/api/registrations?filter=${encodeURIComponent(JSON.stringify({ event: event.id, q: email }))}`)).body[0];

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    staff = (await clientAs(server, 'staff')).client;
    visitor = newVisitor(server);
    event = (await staff.post('/api/events', eventInput({ title: 'Journée des CLS', evaluationQuestions: [{ label: "L'organisation" }, { label: 'Les échanges' }, { label: "J'ai mieux compris le sujet", kind: 'yesno' }] }))).body;
    for (const name of ['alice', 'bruno', 'chloe', 'david']) {
      await visitor.post(`/rencontres/${event.slug}`, form({ email: `${name}@cls.fr`, firstName: name, lastName: 'Martin', organisationName: `Ville de ${name}`, territory: '93200' }));
    }
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
  });

  it('ticks a registrant present from the check-in screen and back', async () => {
    const alice = await registrationOf('alice');
    const ticked = await staff.put(`/api/registrations/${alice.id}`, { attendance: 'present' });
    expect(ticked.status).to.equal(200);
    expect(ticked.body).to.include({ attendance: 'present', status: 'present', statusLabel: 'Présent·e' });
    expect(ticked.body.checkedInAt).to.be.a('string');
    const back = (await staff.put(`/api/registrations/${alice.id}`, { attendance: null })).body;
    expect(back).to.include({ status: 'registered', statusLabel: 'Inscrit·e' });
    expect(back.attendance).to.equal(undefined);
    // the names of shared/API.md: `registrations`, status registered|waiting|cancelled|present|absent
    expect((await staff.put(`/api/registrations/${alice.id}`, { status: 'absent' })).body).to.include({ status: 'absent', attendance: 'absent' });
    const list = await staff.get(`/api/registrations?filter=${encodeURIComponent(JSON.stringify({ event: event.id, status: 'absent' }))}`);
    expect(list.headers.get('content-range')).to.equal('registrations 0-0/1');
    expect(list.body.map((r: { email: string }) => r.email)).to.deep.equal(['alice@cls.fr']);
    const registered = await staff.get(`/api/registrations?filter=${encodeURIComponent(JSON.stringify({ event: event.id, status: 'registered' }))}`);
    expect(registered.body).to.have.length(4); // ticked ones stay registered
    expect((await staff.put(`/api/registrations/${alice.id}`, { status: 'registered' })).body).to.include({ status: 'registered' });
    expect((await staff.put(`/api/registrations/${alice.id}`, { status: 'venu' })).body.error.message).to.contain('état inconnu');
    const board = (await clientAs(server, 'board')).client;
    expect((await board.put(`/api/registrations/${alice.id}`, { attendance: 'present' })).status).to.equal(403);
  });

  it('refuses an attendance file with a bad line, naming it, and writes nothing', async () => {
    const csv = 'Email,Name,Duration (minutes)\nalice@cls.fr,Alice,50\nbruno-at-cls.fr,Bruno,40\n';
    const reply = await staff.post(`/api/events/${event.id}/attendance`, { file: Buffer.from(csv).toString('base64') });
    expect(reply.status).to.equal(400);
    expect(reply.body.error.message).to.equal('Ligne 3 : adresse e-mail invalide « bruno-at-cls.fr ».');
    expect(await Registration.countDocuments({ event: event.id, attendance: { $exists: true } })).to.equal(0);
    const noEmail = await staff.post(`/api/events/${event.id}/attendance`, { file: Buffer.from('Nom;Minutes\nAlice;3\n').toString('base64') });
    expect(noEmail.body.error.message).to.contain("Colonne de l'adresse e-mail introuvable");
  });

  it('imports a Zoom-like export in Windows-1252: present with minutes, absent otherwise', async () => {
    const csv = Buffer.from('Nom (nom d\'origine),E-mail de l\'utilisateur,Durée (minutes)\r\nAlice Martin,ALICE@cls.fr,50\r\nChloé Martin,chloe@cls.fr,"12,5"\r\n', 'latin1');
    const reply = await staff.post(`/api/events/${event.id}/attendance`, { file: csv.toString('base64') });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.body).to.deep.equal({ present: 2, absent: 2, lines: 2, unmatched: [] });
    expect(await registrationOf('chloe')).to.include({ attendance: 'present', minutesConnected: 13 });
    expect(await registrationOf('david')).to.include({ attendance: 'absent' });
    const figures = (await staff.get(`/api/events/${event.id}/figures`)).body;
    expect(figures).to.include({ registrants: 4, attendees: 2, absent: 2, basis: 'participants' });
    expect(figures.sentences[0]).to.contain('a rassemblé 2 participant·es, pour 4 inscrit·es.');
  });

  it('sends the evaluation to participants only; each link works once and the answers stay anonymous', async () => {
    const sent = await staff.post(`/api/events/${event.id}/evaluation`, {});
    expect(sent.body).to.deep.equal({ sent: 2, failed: 0 });
    expect((await staff.post(`/api/events/${event.id}/evaluation`, {})).body).to.deep.equal({ sent: 0, failed: 0 }); // nobody twice
    const [mail] = await smtp.waitFor(1, (m) => m.rcptTo.includes('alice@cls.fr') && m.parsed!.subject === 'Votre avis sur « Journée des CLS »');
    expect(smtp.mails.some((m) => m.rcptTo.includes('david@cls.fr') && m.parsed!.subject!.startsWith('Votre avis'))).to.equal(false);
    const path = linkIn(mail, '/rencontres/evaluation/');
    const page = await visitor.get(path);
    expect(page.text).to.contain('L&#39;organisation').and.contain('name="r_l-organisation" value="5"').and.not.contain('<script');
    const bad = await visitor.post(path, form({ 'r_l-organisation': '9' }));
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('« L&#39;organisation » : choisissez une note de 1 à 5.');
    expect(page.text).to.contain('name="r_j-ai-mieux-compris-le-sujet" value="oui"').and.contain('name="r_j-ai-mieux-compris-le-sujet" value="non"');
    const badYes = await visitor.post(path, form({ 'r_j-ai-mieux-compris-le-sujet': 'bof' }));
    expect(badYes.status).to.equal(400);
    expect(badYes.text).to.contain('« J&#39;ai mieux compris le sujet » : répondez oui ou non.');
    const done = await visitor.post(path, form({ 'r_l-organisation': '5', 'r_les-echanges': '4', 'r_j-ai-mieux-compris-le-sujet': 'oui', comment: 'Très riche' }));
    expect(done.status).to.equal(200);
    expect(done.text).to.contain('Merci pour votre avis');
    const again = await visitor.post(path, form({ 'r_l-organisation': '1' }));
    expect(again.status).to.equal(410);
    expect((await visitor.get(path)).text).to.contain('déjà été rempli');
    const answers = await EventEvaluation.find({}).lean();
    expect(answers).to.have.length(1);
    expect(Object.keys(answers[0]).sort()).to.deep.equal(['_id', 'comment', 'event', 'ratings', 'yesNo']);
    expect(await EvaluationClaim.countDocuments({})).to.equal(1);
    const cancelPath = linkIn((await smtp.waitFor(1, (m) => m.rcptTo.includes('alice@cls.fr')))[0], '/rencontres/annulation/');
    expect((await visitor.get(cancelPath.replace('annulation', 'evaluation'))).status).to.equal(400); // a cancel token is no evaluation token
    const figures = (await staff.get(`/api/events/${event.id}/figures`)).body;
    expect(figures.evaluation).to.deep.include({ answers: 1, comments: ['Très riche'] });
    expect(figures.evaluation.questions[2]).to.deep.equal({ key: 'j-ai-mieux-compris-le-sujet', label: "J'ai mieux compris le sujet", kind: 'yesno', answers: 1, yesCount: 1, yesShare: 100 });
    expect(figures.sentences.at(-1)).to.equal(
      "Le questionnaire d'évaluation (1 réponses) donne 100 % de 4 ou 5 sur 5 pour « L'organisation », 100 % pour « Les échanges » et 100 % de oui à « J'ai mieux compris le sujet ».",
    );
  });

  it('makes a live segment of the participants and an attendance list for the day', async () => {
    const reply = await staff.post(`/api/events/${event.id}/segment`, { attended: true });
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body).to.include({ name: 'Participant·es — Journée des CLS', count: 2 });
    expect((await staff.get(`/api/segments/${reply.body.id}/count`)).body).to.deep.include({ count: 2 });
    const all = await staff.post(`/api/events/${event.id}/segment`, {});
    expect((await staff.get(`/api/segments/${all.body.id}/count`)).body).to.deep.include({ count: 4 });
    await visitor.post(`/rencontres/${event.slug}`, form({ email: 'emma@cls.fr', firstName: 'Emma', lastName: 'Nouvelle' }));
    expect((await staff.get(`/api/segments/${all.body.id}/count`)).body).to.deep.include({ count: 5 }); // a rule, not a frozen list

    const list = await staff.get(`/api/events/${event.id}/attendance.csv`);
    expect(list.headers.get('content-disposition')).to.contain(`emargement-${event.slug}.csv`);
    const rows = list.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).to.equal('Nom;Prénom;Structure;Territoire;Présence;Signature');
    expect(rows).to.include('Martin;alice;Ville de alice;Saint-Denis (93);présent·e;');
    expect(rows).to.have.length(6);
  });

  it('prints the attendance list and the badges as PDF, and neutralises formulas in the CSV; board may read them, visitors not', async () => {
    await visitor.post(`/rencontres/${event.slug}`, form({ email: 'formule@cls.fr', firstName: 'Fanny', lastName: '=HYPERLINK("http://x")', organisationName: '+33 Asso' }));
    const board = (await clientAs(server, 'board')).client;
    const csv = await board.get(`/api/events/${event.id}/attendance.csv`);
    expect(csv.status).to.equal(200);
    expect(csv.text).to.contain(`"'=HYPERLINK(""http://x"")";Fanny;'+33 Asso;`);

    const list = await board.get(`/api/events/${event.id}/attendance.pdf`);
    expect(list.status, list.text).to.equal(200);
    expect(list.headers.get('content-type')).to.equal('application/pdf');
    expect(list.headers.get('content-disposition')).to.contain(`emargement-${event.slug}.pdf`);
    const listPdf = pdfText(list.bytes);
    expect(list.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(listPdf.pages).to.equal(1);
    for (const text of ["Liste d'émargement — Journée des CLS", 'Signature', 'alice', 'Ville de david', 'Saint-Denis (93)', 'Nouvelle', 'Emma', 'Fanny']) expect(listPdf.text).to.contain(text);

    const badges = await staff.get(`/api/events/${event.id}/badges.pdf`);
    expect(badges.status).to.equal(200);
    const badgesPdf = pdfText(badges.bytes);
    expect(badgesPdf.pages).to.equal(1); // six badges, eight to a page
    for (const name of ['alice Martin', 'bruno Martin', 'chloe Martin', 'david Martin', 'Emma Nouvelle']) expect(badgesPdf.text).to.contain(name);

    for (const path of ['attendance.pdf', 'badges.pdf', 'attendance.csv', 'registrations.csv']) expect((await visitor.get(`/api/events/${event.id}/${path}`)).status).to.equal(401);
  });
});
