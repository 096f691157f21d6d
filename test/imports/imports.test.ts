import { expect } from 'chai';
import { Types } from 'mongoose';
import { readFileSync } from 'node:fs';
import { noteContactsChanged } from '../../server/contacts/contact.index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { Readable } from 'node:stream';
import { ImportBatch } from '../../server/imports/import.model.js';
import { createImport, requestCommit, requestUndo, runCommit, runUndo, storeFile } from '../../server/imports/import.service.js';
import { List } from '../../server/lists/list.model.js';
import { seedReferenceLists } from '../../server/lists/list.seed.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { Suppression } from '../../server/suppressions/suppression.model.js';
import { suppress } from '../../server/suppressions/suppression.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { uploadForm, waitForImport } from './import-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/imports/${name}`, import.meta.url));

/** Every contact, as stored, by address (what "the database's state" means for an undo). */
async function contactsState() {
  const contacts = await Contact.find().sort({ email: 1 }).lean();
  return JSON.parse(JSON.stringify(contacts));
}

describe('contact imports (POST /api/imports, commit, undo)', () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    await resetDatabase();
    await seedReferenceLists();
    server = await startTestServer({ jobs: true });
    client = (await clientAs(server, 'staff')).client;
  });
  after(() => server.close());
  beforeEach(async () => {
    const ids = (await Contact.find({}, { _id: 1 }).lean()).map((c) => c._id);
    await Contact.deleteMany({});
    await noteContactsChanged(ids);
    await Subscription.deleteMany({});
    await Suppression.deleteMany({});
  });

  it('keeps the accents of a Windows-1252 Excel file and detects its encoding and separator', async () => {
    const reply = await client.post('/api/imports', uploadForm('excel.csv', fixture('excel-fr-windows1252.csv')));
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body).to.include({ encoding: 'windows-1252', delimiter: ';', status: 'ready' });
    expect(reply.body.detected).to.include({ encoding: 'windows-1252', delimiter: ';', bom: false });
    expect(reply.body.headers).to.deep.equal(['Civilité', 'Prénom', 'Nom', 'Adresse e-mail', 'Structure', 'Fonction', 'Code postal', 'Thématiques', 'Dispositifs', 'Commentaire']);
    const fields = reply.body.mapping.map((m: { field: string }) => m.field);
    expect(fields).to.deep.equal(['civility', 'firstName', 'lastName', 'email', 'organisation', 'function', 'territories', 'themes', 'dispositifs', 'notes']);
    expect(reply.body.preview.counts).to.include({ rows: 4, created: 4, errors: 0 });

    const commit = await client.post(`/api/imports/${reply.body.id}/commit`);
    expect(commit.status, commit.text).to.equal(202);
    const done = await waitForImport(client, reply.body.id);
    expect(done.status).to.equal('done');
    expect(done.counts).to.include({ rows: 4, created: 4, updated: 0, errors: 0 });

    const helene = await Contact.findOne({ email: 'helene.lefevre@ville-saint-denis.fr' }).lean();
    expect(helene).to.include({ civility: 'madame', firstName: 'Hélène', lastName: 'Lefèvre', function: 'coordo-asv' });
    expect(helene!.notes).to.equal('Référente « santé mentale » – CLSM en cours');
    expect(helene!.territories).to.deep.equal(['commune-93066']);
    expect(helene!.territoryScope).to.include.members(['departement-93', 'region-11']);
    const themes = await Theme.find({ _id: { $in: helene!.themes } }).lean();
    expect(themes.map((t) => t.name).sort()).to.deep.equal(['Précarité', 'Santé mentale']);
    const francois = await Contact.findOne({ email: 'francois.noeud@ars.sante.fr' }).lean();
    expect(francois).to.include({ lastName: 'Nœud', notes: 'Budget 2 500 € ; relance l’an prochain' });
    expect(francois!.territories).to.deep.equal(['departement-93']);
    const zoe = await Contact.findOne({ email: 'zoe.dupre@grenoble.fr' }).lean();
    expect(zoe).to.include({ lastName: 'Dupré-Öztürk', function: 'elu' });
    expect(zoe!.territories).to.deep.equal(['region-84']);
    const jerome = await Contact.findOne({ email: 'jerome.celik@exemple.fr' }).lean();
    expect(jerome!.lastName).to.equal('Çelik');
    expect(jerome!.territories).to.deep.equal(['commune-93066']);
    const organisation = await Organisation.findById(helene!.organisations[0]).lean();
    expect(organisation!.name).to.equal('Mairie de Saint-Denis');
  });

  it('reads an Excel "CSV UTF-8" file with its BOM without keeping the BOM in the first header', async () => {
    const reply = await client.post('/api/imports', uploadForm('utf8.csv', fixture('excel-utf8-bom.csv')));
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body).to.include({ encoding: 'utf-8', delimiter: ';' });
    expect(reply.body.detected.bom).to.equal(true);
    expect(reply.body.headers[0]).to.equal('Prénom');
    expect(reply.body.mapping[0].field).to.equal('firstName');
    expect(reply.body.preview.lines[0]).to.deep.include({ line: 2, action: 'create', email: 'anais.beranger@cls-lille.fr' });
    expect(reply.body.preview.lines[0].values).to.include({ firstName: 'Anaïs', lastName: 'Béranger' });
  });

  it('reports per line, with spreadsheet rows and file lines: quoted separators and line breaks, blank rows, case duplicates, bad and missing e-mails, unknown values as warnings', async () => {
    const reply = await client.post('/api/imports', uploadForm('libre.csv', fixture('libreoffice-comma.csv')));
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body.delimiter).to.equal(',');
    const counts = reply.body.preview.counts;
    expect(counts).to.include({ rows: 8, created: 5, duplicates: 1, errors: 2, warnings: 1, blank: 2 });
    const byLine = Object.fromEntries(reply.body.preview.lines.map((l: { line: number }) => [l.line, l]));
    expect(Object.keys(byLine).map(Number)).to.deep.equal([2, 4, 6, 7, 8, 9, 10, 12]); // 3 and 11 are blank
    expect(byLine[4].values.notes).to.equal('Première ligne\ndeuxième ligne; avec point-virgule');
    expect(byLine[4].values.lastName).to.equal('Petit, dite « Lili »');
    expect(byLine[6]).to.include({ action: 'duplicate' });
    expect(byLine[6].reason).to.match(/ligne 2/);
    expect(byLine[7]).to.include({ action: 'error', column: 'Email Address' });
    expect(byLine[7].reason).to.equal('Adresse e-mail invalide : « paul.durand@@exemple ».');
    expect(byLine[8]).to.include({ action: 'error', reason: 'Adresse e-mail manquante.' });
    expect(byLine[10].values).to.include({ firstName: 'Hugo', lastName: 'Bernard', notes: 'espaces autour' });
    expect(byLine[12]).to.include({ action: 'create', row: 11 }); // row 4 spans two text lines, rows 3 and 10 are blank
    expect(byLine[12].warnings).to.deep.equal([{ column: 'Territoire', reason: 'Territoire « Territoire imaginaire » inconnu : gardé en texte.' }]);
    const issues = reply.body.issues.map((i: { line: number; row: number; kind: string }) => `${i.row}/${i.line}:${i.kind}`);
    expect(issues).to.deep.equal(['5/6:duplicate', '6/7:error', '7/8:error', '11/12:warning']);

    await client.post(`/api/imports/${reply.body.id}/commit`);
    const done = await waitForImport(client, reply.body.id);
    expect(done.counts).to.include({ rows: 8, created: 5, duplicates: 1, errors: 2, warnings: 1, blank: 2 });
    const stored = await Contact.findOne({ email: 'jade@exemple.org' }).lean();
    const jade = (await client.get(`/api/contacts/${stored!._id}`)).body; // as staff see it: stored without its empty lists
    expect(jade.territories).to.deep.equal([]);
    expect(jade.unresolvedLabels).to.deep.equal(['Territoire : Territoire imaginaire']);
    const camille = await Contact.find({ email: 'camille.martin@asso-sante.org' }).lean();
    expect(camille).to.have.length(1);
    expect(camille[0].territories).to.have.members(['departement-93', 'departement-59']); // merged from line 6
    expect(camille[0].notes).to.equal('Aime les tableaux'); // "fill": the first value stays
    expect(await Contact.countDocuments()).to.equal(5);
  });

  it('stores a formula-looking cell as text, and neutralises it in errors.csv', async () => {
    const csv = 'Email,Notes,Territoire\r\nines@exemple.org,"=HYPERLINK(""http://x"";""clic"")",\r\nmauvais,=1+2,\r\n';
    const reply = await client.post('/api/imports', uploadForm('formules.csv', csv));
    await client.post(`/api/imports/${reply.body.id}/commit`);
    await waitForImport(client, reply.body.id);
    const ines = await Contact.findOne({ email: 'ines@exemple.org' }).lean();
    expect(ines!.notes).to.equal('=HYPERLINK("http://x";"clic")');
    const errors = await client.get(`/api/imports/${reply.body.id}/errors.csv`);
    expect(errors.status).to.equal(200);
    expect(errors.headers.get('content-type')).to.match(/^text\/csv/);
    // (fetch's text() drops the BOM that Excel needs; the bytes keep it)
    expect(errors.text).to.equal("Email,Notes,Territoire,Ligne du tableur,Ligne du fichier texte,Motif\r\nmauvais,'=1+2,,3,3,Adresse e-mail invalide : « mauvais ».\r\n");
    const raw = await fetch(`${server.url}/api/imports/${reply.body.id}/errors.csv`, { headers: { cookie: client.cookie! } });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
  });

  it('writes nothing during a dry run', async () => {
    const state = async () => [await contactsState(), await Organisation.find().lean(), await Subscription.find().lean()].map((x) => JSON.stringify(x));
    await Organisation.deleteMany({ name: 'Santé Commune, Association' });
    const before = await state();
    const libre = await client.post('/api/imports', uploadForm('libre.csv', fixture('libreoffice-comma.csv')));
    expect(libre.body.preview.counts.created).to.equal(5);
    const mailchimp = await client.post('/api/imports', uploadForm('mc.csv', fixture('mailchimp-audience.csv'), { subscribeList: 'lettre-mensuelle' }));
    expect(mailchimp.body.preview.counts.created).to.equal(3);
    expect(await state()).to.deep.equal(before);
  });

  it('returns the database to its previous state after commit then undo', async () => {
    // An existing contact the import updates, and one it does not touch.
    const first = await client.post('/api/imports', uploadForm('utf8.csv', fixture('excel-utf8-bom.csv')));
    await client.post(`/api/imports/${first.body.id}/commit`);
    await waitForImport(client, first.body.id);
    const noelId = (await Contact.findOne({ email: 'noel.ledoux@ireps.fr' }))!._id;
    expect((await client.put(`/api/contacts/${noelId}`, { firstName: '' })).status).to.equal(200);
    const before = await contactsState();

    const csv = 'Courriel;Prénom;Nom;Territoire;Thèmes\nnoel.ledoux@ireps.fr;Noël;Ledoux-Martin;93;Précarité\nnouvelle@exemple.fr;Nouvelle;Personne;;\n';
    const second = await client.post('/api/imports', uploadForm('maj.csv', csv));
    expect(second.body.preview.counts).to.include({ created: 1, updated: 1 });
    const updateLine = second.body.preview.lines.find((l: { line: number }) => l.line === 2);
    expect(updateLine).to.include({ action: 'update' });
    expect(updateLine.changes).to.have.members(['firstName', 'territories', 'themes']); // "fill": lastName kept
    await client.post(`/api/imports/${second.body.id}/commit`);
    await waitForImport(client, second.body.id);
    const noel = await Contact.findOne({ email: 'noel.ledoux@ireps.fr' }).lean();
    expect(noel).to.include({ firstName: 'Noël', lastName: 'Ledoux' });
    expect(noel!.territories).to.have.members(['region-32', 'departement-93']); // added, not replaced
    expect(await Contact.countDocuments()).to.equal(3);

    const undo = await client.post(`/api/imports/${second.body.id}/undo`);
    expect(undo.status, undo.text).to.equal(202);
    const undone = await waitForImport(client, second.body.id, ['undone', 'failed']);
    expect(undone.undoReport).to.include({ deleted: 1, restored: 1 });
    expect(undone.undoReport.kept).to.deep.equal([]);
    expect(await contactsState()).to.deep.equal(before);
  });

  it('keeps, and reports, what staff edited after the import when undoing it', async () => {
    const reply = await client.post('/api/imports', uploadForm('utf8.csv', fixture('excel-utf8-bom.csv')));
    await client.post(`/api/imports/${reply.body.id}/commit`);
    await waitForImport(client, reply.body.id);
    const anais = await Contact.findOne({ email: 'anais.beranger@cls-lille.fr' });
    const edit = await client.put(`/api/contacts/${anais!._id}`, { notes: 'Appelée le 3 mars' });
    expect(edit.status, edit.text).to.equal(200);
    await client.post(`/api/imports/${reply.body.id}/undo`);
    const undone = await waitForImport(client, reply.body.id, ['undone', 'failed']);
    expect(undone.undoReport.deleted).to.equal(1);
    expect(undone.undoReport.kept).to.have.length(1);
    expect(undone.undoReport.kept[0]).to.include({ email: 'anais.beranger@cls-lille.fr', line: 2 });
    expect(await Contact.exists({ email: 'anais.beranger@cls-lille.fr' })).to.not.equal(null);
    expect(await Contact.exists({ email: 'noel.ledoux@ireps.fr' })).to.equal(null);
  });

  it('does not re-import a suppressed address, and says so', async () => {
    await suppress('Marc.Olivier@ccas-lyon.fr', 'unsubscribed');
    const reply = await client.post('/api/imports', uploadForm('mc.csv', fixture('mailchimp-audience.csv')));
    expect(reply.body.preview.counts).to.include({ rows: 3, created: 2, skipped: 1 });
    const skipped = reply.body.issues.find((i: { kind: string }) => i.kind === 'skipped');
    expect(skipped).to.include({ line: 3 });
    expect(skipped.reason).to.match(/liste d’opposition/);
    await client.post(`/api/imports/${reply.body.id}/commit`);
    const done = await waitForImport(client, reply.body.id);
    expect(done.counts).to.include({ created: 2, skipped: 1 });
    expect(await Contact.exists({ email: 'marc.olivier@ccas-lyon.fr' })).to.equal(null);
    const errors = await client.get(`/api/imports/${reply.body.id}/errors.csv`);
    expect(errors.text).to.include('marc.olivier@ccas-lyon.fr').and.to.include('liste d’opposition');
  });

  it('subscribes to the newsletter only when asked and only the rows carrying consent proof', async () => {
    const list = await List.findOne({ code: 'lettre-mensuelle' }).lean();
    const plain = await client.post('/api/imports', uploadForm('mc.csv', fixture('mailchimp-audience.csv')));
    expect(plain.body.detected.preset).to.equal('mailchimp');
    const mapped = Object.fromEntries(plain.body.mapping.filter((m: { field: string }) => m.field !== 'ignore').map((m: { header: string; field: string }) => [m.header, m.field]));
    expect(mapped).to.deep.equal({
      'Email Address': 'email',
      'First Name': 'firstName',
      'Last Name': 'lastName',
      'Phone Number': 'phones',
      OPTIN_TIME: 'consentAt',
      OPTIN_IP: 'consentIp',
      CONFIRM_TIME: 'consentConfirmedAt',
      CONFIRM_IP: 'consentConfirmedIp',
      NOTES: 'notes',
      TAGS: 'themes',
    });
    await client.post(`/api/imports/${plain.body.id}/commit`);
    await waitForImport(client, plain.body.id);
    expect(await Subscription.countDocuments()).to.equal(0); // not asked: nobody subscribed

    const asked = await client.post('/api/imports', uploadForm('mc.csv', fixture('mailchimp-audience.csv'), { subscribeList: 'lettre-mensuelle' }));
    await client.post(`/api/imports/${asked.body.id}/commit`);
    const done = await waitForImport(client, asked.body.id);
    expect(done.counts).to.include({ subscribed: 2, unchanged: 3 });
    const notice = done.issues.find((i: { kind: string }) => i.kind === 'notice');
    expect(notice).to.include({ line: 3 });
    const sophie = await Contact.findOne({ email: 'sophie.garnier@cpam.fr' }).lean();
    const subscription = await Subscription.findOne({ contact: sophie!._id }).lean();
    expect(subscription).to.include({ status: 'subscribed', source: 'import' });
    expect(String(subscription!.list)).to.equal(String(list!._id));
    expect(subscription!.consent).to.include({ source: 'import', ip: '81.250.1.10', confirmedIp: '81.250.1.10', wording: list!.consentWording });
    expect(subscription!.consent.at.toISOString()).to.equal('2024-03-12T10:15:00.000Z');
    expect(subscription!.consent.confirmedAt!.toISOString()).to.equal('2024-03-12T10:17:42.000Z');
    const marc = await Contact.findOne({ email: 'marc.olivier@ccas-lyon.fr' }).lean();
    expect(await Subscription.exists({ contact: marc!._id })).to.equal(null);
  });

  it('overwrites with the "overwrite" policy but never blanks a field, and adds themes', async () => {
    await client.post('/api/imports', uploadForm('x.csv', 'Email;Nom;Prénom;Thèmes\nana@exemple.fr;Ancien;Ana;Alimentation\n')).then(async (r) => {
      await client.post(`/api/imports/${r.body.id}/commit`);
      await waitForImport(client, r.body.id);
    });
    const reply = await client.post('/api/imports', uploadForm('y.csv', 'Email;Nom;Prénom;Thèmes\nANA@exemple.fr;Nouveau;;Précarité\n', { policy: 'overwrite' }));
    expect(reply.body.policy).to.equal('overwrite');
    await client.post(`/api/imports/${reply.body.id}/commit`);
    const done = await waitForImport(client, reply.body.id);
    expect(done.counts).to.include({ updated: 1 });
    const ana = await Contact.findOne({ email: 'ana@exemple.fr' }).lean();
    expect(ana).to.include({ lastName: 'Nouveau', firstName: 'Ana' });
    const themes = await Theme.find({ _id: { $in: ana!.themes } }).lean();
    expect(themes.map((t) => t.name).sort()).to.deep.equal(['Alimentation', 'Précarité']);
  });

  it('plans a batch naming a contact of the base only after the previous batches are written', async () => {
    const created = await client.post('/api/contacts', { email: 'lea@exemple.fr', emails: ['lea.perso@exemple.fr'], lastName: 'Lefort' });
    expect(created.status, created.text).to.equal(201);
    // one row per batch: the first two rows reach the same contact by two of its addresses
    const csv = 'Email;Thèmes\nlea@exemple.fr;Alimentation\nlea.perso@exemple.fr;Précarité\nnouvelle@exemple.fr;Alimentation\n';
    const doc = await createImport(await storeFile(Readable.from([Buffer.from(csv)]), 'lea.csv', server.ctx.config.dataDir), {});
    await requestCommit(String(doc._id));
    const done = await runCommit(String(doc._id), { batchSize: 1 });
    expect(done.counts).to.include({ created: 1, updated: 2 });
    const lea = await Contact.findOne({ email: 'lea@exemple.fr' }).lean();
    const themes = await Theme.find({ _id: { $in: lea!.themes } }).lean();
    expect(themes.map((t) => t.name).sort()).to.deep.equal(['Alimentation', 'Précarité']);
  });

  it('recreates a contact deleted without a note in the index log since the dry run', async () => {
    const created = await client.post('/api/contacts', { email: 'effacee@exemple.fr', lastName: 'Avant' });
    const csv = 'Email;Prénom\neffacee@exemple.fr;Inès\n';
    const doc = await createImport(await storeFile(Readable.from([Buffer.from(csv)]), 'ines.csv', server.ctx.config.dataDir), {});
    expect(doc.preview!.counts).to.include({ updated: 1 });
    await Contact.collection.deleteOne({ _id: new Types.ObjectId(String(created.body.id)) }); // a write that bypasses the log
    await requestCommit(String(doc._id));
    // The commit reads the contacts it updates from the database, so it sees the deletion.
    const done = await runCommit(String(doc._id));
    expect(done.status).to.equal('done');
    expect(done.counts).to.include({ created: 1, updated: 0 });
    expect(await Contact.findOne({ email: 'effacee@exemple.fr' }).lean()).to.include({ firstName: 'Inès' });
  });

  it('resumes a commit interrupted by a crash without duplicating anyone', async () => {
    const BATCH_SIZE = 100;
    const rows = Array.from({ length: BATCH_SIZE * 2 + 10 }, (_, i) => `personne${i}@exemple.fr;Prénom ${i};Nom ${i}`);
    const csv = `Email;Prénom;Nom\n${rows.join('\n')}\n`;
    const stored = await storeFile(Readable.from([Buffer.from(csv)]), 'gros.csv', server.ctx.config.dataDir);
    const doc = await createImport(stored, {});
    await requestCommit(String(doc._id));
    // The process "dies" after writing the second batch's contacts, before its cursor is saved
    // (saved at most once a second: every batch written since its last save is reverted and redone).
    const crash = await runCommit(String(doc._id), {
      batchSize: BATCH_SIZE,
      afterBatchWritten: (index) => {
        if (index === 1) throw new Error('crash simulé');
      },
    }).catch((error: Error) => error);
    expect((crash as Error).message).to.equal('crash simulé');
    expect(await Contact.countDocuments()).to.equal(BATCH_SIZE * 2);
    const resumed = await runCommit(String(doc._id), { batchSize: BATCH_SIZE });
    expect(resumed.status).to.equal('done');
    expect(resumed.counts).to.include({ rows: BATCH_SIZE * 2 + 10, created: BATCH_SIZE * 2 + 10, updated: 0, unchanged: 0 });
    expect(await Contact.countDocuments()).to.equal(BATCH_SIZE * 2 + 10);
    expect(await ImportBatch.countDocuments({ import: doc._id })).to.equal(3);
    await requestUndo(String(doc._id));
    const undone = await runUndo(String(doc._id));
    expect(undone.undoReport!.deleted).to.equal(BATCH_SIZE * 2 + 10);
    expect(await Contact.countDocuments()).to.equal(0);
  });

  it('answers 400 naming the field for a bad mapping, encoding or list, and writes nothing', async () => {
    const csv = 'Email;Nom\na@b.fr;A\n';
    const badMapping = await client.post('/api/imports', uploadForm('a.csv', csv, { mapping: JSON.stringify({ Email: 'ignore' }) }));
    expect(badMapping.status).to.equal(400);
    expect(badMapping.body.error).to.include({ field: 'mapping', message: "Aucune colonne n'est associée à l'adresse e-mail." });
    const operator = await client.post('/api/imports', uploadForm('a.csv', csv, { mapping: JSON.stringify({ Email: { $gt: '' } }) }));
    expect(operator.status).to.equal(400);
    expect(operator.body.error.field).to.match(/^mapping/);
    const encoding = await client.post('/api/imports', uploadForm('a.csv', csv, { encoding: 'ebcdic' }));
    expect(encoding.status).to.equal(400);
    expect(encoding.body.error.field).to.equal('encoding');
    const list = await client.post('/api/imports', uploadForm('a.csv', csv, { subscribeList: 'inconnue' }));
    expect(list.status).to.equal(400);
    expect(list.body.error.field).to.equal('subscribeList');
    const noFile = await client.post('/api/imports', { file: 'x' });
    expect(noFile.status).to.equal(400);
    expect(noFile.body.error.field).to.equal('file');
    expect(await Contact.countDocuments()).to.equal(0);
  });

  it('checks a row with the contact API\'s own rules (a bad phone number is an error naming its column)', async () => {
    const reply = await client.post('/api/imports', uploadForm('tel.csv', 'Email;Téléphone\nok@exemple.fr;01 23 45 67 89\nko@exemple.fr;appeler le standard\n'));
    expect(reply.body.preview.counts).to.include({ created: 1, errors: 1 });
    expect(reply.body.issues[0]).to.include({ line: 3, column: 'Téléphone', reason: 'Téléphone : numéro de téléphone invalide.' });
  });

  it('lets the user override the detected settings and re-run the dry run', async () => {
    const reply = await client.post('/api/imports', uploadForm('excel.csv', fixture('excel-fr-windows1252.csv'), { encoding: 'utf-8' }));
    expect(reply.body.encoding).to.equal('utf-8');
    expect(reply.body.headers[0]).to.equal('Civilit\uFFFD');
    const fixed = await client.post(`/api/imports/${reply.body.id}/preview`, { encoding: 'windows-1252', policy: 'overwrite' });
    expect(fixed.status, fixed.text).to.equal(200);
    expect(fixed.body).to.include({ encoding: 'windows-1252', delimiter: ';', policy: 'overwrite' });
    expect(fixed.body.headers[0]).to.equal('Civilité');
    const remapped = await client.post(`/api/imports/${reply.body.id}/preview`, { mapping: { Prénom: 'notes', Commentaire: 'ignore' } });
    const fields = remapped.body.mapping.map((m: { field: string }) => m.field);
    // only the columns named change; "Commentaire" gave up the single "notes" field to "Prénom"
    expect(fields).to.deep.equal(['civility', 'notes', 'lastName', 'email', 'organisation', 'function', 'territories', 'themes', 'dispositifs', 'ignore']);
    const bad = await client.post(`/api/imports/${reply.body.id}/preview`, { delimiter: '#' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.field).to.equal('delimiter');
  });

  it('saves a mapping as a preset and applies it to the next file', async () => {
    const board = (await clientAs(server, 'board')).client;
    const presets = await board.get('/api/imports/presets');
    expect(presets.body.map((p: { id: string }) => p.id)).to.include.members(['mailchimp', 'brevo']);
    const denied = await board.post('/api/imports/presets', { name: 'x', columns: [{ header: 'Mél', field: 'email' }] });
    expect(denied.status).to.equal(403);
    const saved = await client.post('/api/imports/presets', { name: 'Annuaire ARS', columns: [{ header: 'Mél pro', field: 'email' }, { header: 'Qui', field: 'lastName' }] });
    expect(saved.status, saved.text).to.equal(201);
    const reply = await client.post('/api/imports', uploadForm('ars.csv', 'Qui;Mél pro\nDupont;dupont@ars.fr\n', { preset: 'Annuaire ARS' }));
    expect(reply.body.mapping.map((m: { field: string }) => m.field)).to.deep.equal(['lastName', 'email']);
    expect(reply.body.preview.counts.created).to.equal(1);
    const brevo = await client.post('/api/imports', uploadForm('brevo.csv', fixture('brevo-contacts.csv')));
    expect(brevo.body.detected.preset).to.equal('brevo');
    expect(brevo.body.mapping.map((m: { field: string }) => m.field)).to.deep.equal(['ignore', 'email', 'firstName', 'lastName', 'phones', 'ignore', 'ignore']);
  });

  it('lists imports for readers and keeps writes to staff', async () => {
    const board = (await clientAs(server, 'board')).client;
    const list = await board.get('/api/imports?range=[0,4]');
    expect(list.status).to.equal(200);
    expect(list.headers.get('content-range')).to.match(/^imports 0-\d+\/\d+$/);
    const write = await board.post('/api/imports', uploadForm('a.csv', 'Email\na@b.fr\n'));
    expect(write.status).to.equal(403);
  });
});
