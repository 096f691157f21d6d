import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { noteContactsChanged } from '../../server/contacts/contact.index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { ImportValueMemory } from '../../server/imports/import.model.js';
import { seedReferenceLists } from '../../server/lists/list.seed.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { Theme } from '../../server/themes/theme.model.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';
import { uploadForm, waitForImport } from './import-helpers.js';

/** A staff member's real-looking spreadsheet: Excel, `;`, Windows-1252, free-text functions and themes. */
const spreadsheet = readFileSync(new URL('../../fixtures/imports/reseau-sante-2025-excel.csv', import.meta.url));

type ValueRow = { field: string; value: string; lines: number; action: string; targets?: string[]; targetLabels: string[]; source: string; suggestion?: { reason: string; why: string } };
const valueOf = (body: { values: ValueRow[] }, field: string, value: string) => {
  const found = body.values.find((v) => v.field === field && v.value === value);
  if (!found) throw new Error(`no value ${field}:${value} in ${body.values.map((v) => `${v.field}:${v.value}`).join(', ')}`);
  return found;
};

describe('imports of spreadsheets with free-text values (value mapping, territories, organisations)', () => {
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
    await ImportValueMemory.deleteMany({});
    await Organisation.deleteMany({});
  });

  it('lists the distinct values with suggestions and reasons, imports every line with a valid address and keeps unknown values as text', async () => {
    await Organisation.create({ name: 'Mairie de Valence', type: 'commune', territory: 'commune-26362' });
    const reply = await client.post('/api/imports', uploadForm('reseau.csv', spreadsheet));
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body).to.include({ encoding: 'windows-1252', delimiter: ';' });
    const body = reply.body;
    expect(body.mapping.map((m: { field: string }) => m.field)).to.deep.equal([
      'civility', 'firstName', 'lastName', 'email', 'organisation', 'organisationType', 'function', 'territories', 'territories', 'themes', 'dispositifs', 'notes',
    ]);
    // 34 data rows: one blank, one invalid and one missing address; everything else is imported
    expect(body.preview.counts).to.include({ rows: 33, blank: 1, errors: 2, created: 31 });
    expect(body.preview.counts.warnings).to.be.greaterThan(5);

    // gendered, inclusive and abbreviated functions
    const functions: Record<string, string[]> = {
      'Coordinatrice ASV': ['Coordonnateur·rice ASV'],
      'Coordonnateur CLS': ['Coordonnateur·rice CLS'],
      'Chargée de mission': ['Chargé·e de mission'],
      'Chargé de mission': ['Chargé·e de mission'],
      'Chargé·e de mission': ['Chargé·e de mission'],
      'Élu à la santé': ['Élu·e'],
      Élue: ['Élu·e'],
      'Adjointe au maire': ['Élu·e'],
      'Médiatrice santé': ['Médiateur·rice en santé'],
      'Coordo CLSM': ['Coordonnateur·rice CLSM'],
      Directrice: ['Directeur·rice'],
      Chercheuse: ['Chercheur·se'],
      Étudiante: ['Étudiant·e'],
      'Chef de projet politique de la ville': ['Chef·fe de projet politique de la ville'],
    };
    for (const [value, labels] of Object.entries(functions)) {
      const row = valueOf(body, 'function', value);
      expect(row, value).to.include({ action: 'existing', source: 'suggestion' });
      expect(row.targetLabels, value).to.deep.equal(labels);
      expect(row.suggestion!.why, value).to.be.a('string').and.not.empty;
    }
    expect(valueOf(body, 'function', 'Coordinatrice ASV').lines).to.equal(2);
    expect(valueOf(body, 'function', 'Chargée de mission').suggestion!.reason).to.equal('form');
    for (const unknown of ['Médecin généraliste', 'Infirmière', 'Chargé de projets']) expect(valueOf(body, 'function', unknown), unknown).to.include({ action: 'text', source: 'none' });

    // themes: contained labels, accents, forms; unknown ones kept as text
    expect(valueOf(body, 'themes', 'Accès aux droits')).to.deep.include({ action: 'existing', targetLabels: ['Accès aux droits et dématérialisation'] });
    expect(valueOf(body, 'themes', 'Accès aux droits').suggestion!.reason).to.equal('contained');
    expect(valueOf(body, 'themes', 'Santé environnementale').targetLabels).to.deep.equal(['Santé-environnement']);
    // "Precarite" and "Précarité" are one distinct value (accents and case folded)
    expect(valueOf(body, 'themes', 'Précarité')).to.deep.include({ lines: 2, targetLabels: ['Précarité'] });
    expect(valueOf(body, 'themes', 'Habitat').targetLabels).to.deep.equal(['Habitat et logement']);
    expect(valueOf(body, 'themes', 'Nutrition')).to.include({ action: 'text', lines: 4 });
    // dispositifs: combinations and plurals
    expect(valueOf(body, 'dispositifs', 'CLS/CLSM')).to.deep.include({ targets: ['cls', 'clsm'] });
    expect(valueOf(body, 'dispositifs', 'CLS/CLSM').suggestion!.reason).to.equal('combination');
    expect(valueOf(body, 'dispositifs', 'ASV / CLS').targets).to.deep.equal(['asv', 'cls']);
    expect(valueOf(body, 'dispositifs', 'Contrats de ville').targets).to.deep.equal(['contrat-de-ville']);
    expect(valueOf(body, 'dispositifs', 'Atelier Santé Ville').targets).to.deep.equal(['asv']);
    // organisation types from staff's words
    expect(valueOf(body, 'organisationType', 'Mairie').targets).to.deep.equal(['commune']);
    expect(valueOf(body, 'organisationType', 'Hôpital').targets).to.deep.equal(['etablissement-sante']);
    expect(valueOf(body, 'organisationType', 'Collectivité')).to.include({ action: 'text' });

    // new organisations: type, territory, and "Ville de Valence" merged into "Mairie de Valence"
    const organisations = body.organisations as { name: string; action: string; type?: string; territory?: string; lines: number; mergeSuggestion?: { name: string } }[];
    const named = (name: string) => organisations.find((o) => o.name === name)!;
    expect(named('Ville de Valence')).to.deep.include({ action: 'merge', mergeSuggestion: named('Ville de Valence').mergeSuggestion });
    expect(named('Ville de Valence').mergeSuggestion!.name).to.equal('Mairie de Valence');
    expect(named('CHU de Rennes')).to.include({ action: 'create', type: 'etablissement-sante', territory: 'commune-35238' });
    expect(named('IREPS Bretagne')).to.include({ action: 'create', type: 'promotion-sante' });
    expect(named('Mairie de Saint-Denis')).to.include({ action: 'create', type: 'commune', lines: 4 }); // "Mairie de St-Denis" is the same one
    // the Réunion's Saint-Denis is not the 93's: no merge between them
    expect(named('Ville de Saint-Denis')).to.include({ action: 'create', territory: 'commune-97411' });
    expect(body.preview.counts.organisationsCreated).to.equal(organisations.filter((o) => o.action === 'create').length);

    await client.post(`/api/imports/${body.id}/commit`);
    const done = await waitForImport(client, body.id);
    expect(done.status, done.failure).to.equal('done');
    expect(done.counts).to.include({ created: 31, errors: 2, blank: 1, warnings: body.preview.counts.warnings });

    const helene = await Contact.findOne({ email: 'helene.lefevre@ville-saint-denis.fr' }).lean();
    expect(helene).to.include({ function: 'coordo-asv', functionLabel: 'Coordinatrice ASV' });
    expect(helene!.territories).to.deep.equal(['commune-93066']); // Saint-Denis + 93200
    const karim = await Contact.findOne({ email: 'k.benali@saintdenis.re' }).lean();
    expect(karim!.territories).to.deep.equal(['commune-97411']); // Saint-Denis + 97400
    expect(karim!.unresolvedLabels).to.have.members(['Thématique : Nutrition', 'Type de structure : Collectivité']);
    const stored = await Contact.findOne({ email: 'claire.petit@saint-denis.fr' }).lean();
    const claire = (await client.get(`/api/contacts/${stored!._id}`)).body; // as staff see it: stored without its empty lists
    expect(claire.territories).to.deep.equal([]); // Saint-Denis alone: ambiguous, nothing tagged
    expect(claire.unresolvedLabels).to.include('Territoire : Saint-Denis');
    expect(claire).to.include({ function: 'elu' });
    const paul = await Contact.findOne({ email: 'paul.girard@cabinet-girard.fr' }).lean();
    expect(paul).to.include({ functionLabel: 'Médecin généraliste' });
    expect(paul!.function).to.equal(undefined);
    const aurelie = await Contact.findOne({ email: 'a.dubois@ccas-rennes.fr' }).lean();
    expect(aurelie!.dispositifs).to.deep.equal(['cls', 'clsm']);
    const jean = await Contact.findOne({ email: 'jean.martin@mairie-valence.fr' }).lean();
    const valence = await Organisation.findOne({ name: 'Mairie de Valence' }).lean();
    expect(jean!.organisations.map(String)).to.deep.equal([String(valence!._id)]);
    expect(await Organisation.countDocuments({ name: 'Ville de Valence' })).to.equal(0);
    expect(await Organisation.countDocuments({ name: /^(Mairie|Ville) de (Saint|St)-Denis$/ })).to.equal(2);

    const warnings = await client.get(`/api/imports/${body.id}`);
    const claireWarning = warnings.body.issues.find((i: { kind: string; reason: string }) => i.kind === 'warning' && /Saint-Denis » ambigu/.test(i.reason));
    expect(claireWarning.reason).to.match(/Saint-Denis \(93\)/).and.match(/Saint-Denis \(974\)/);
    expect(claireWarning).to.include({ row: 8, line: 8 });

    // a second import changing a contact: its history shows before and after, with the import
    const update = await client.post('/api/imports', uploadForm('maj.csv', 'Adresse e-mail;Fonction\r\nk.benali@saintdenis.re;Élu\r\n', { policy: 'overwrite' }));
    expect(update.body.preview.counts).to.include({ updated: 1 });
    expect(update.body.preview.lines[0].changes).to.include('function');
    await client.post(`/api/imports/${update.body.id}/commit`);
    await waitForImport(client, update.body.id);
    const history = await client.get(`/api/contacts/${karim!._id}/history`);
    const entry = history.body.find((h: { action: string }) => h.action === 'update');
    expect(entry, JSON.stringify(history.body)).to.include({ via: `import:${update.body.id}` });
    expect(entry.changes).to.deep.include({ field: 'function', before: 'coordo-cls', after: 'elu' });
    // its creation by the first import, with the values it had then
    const creation = history.body.find((h: { action: string }) => h.action === 'create');
    expect(creation).to.include({ via: `import:${body.id}`, actorName: 'Test staff' });
    expect(creation.changes).to.deep.include({ field: 'function', before: null, after: 'coordo-cls' });
  });

  it('applies staff choices (existing, new theme under a parent, ignore), counts in the preview what the commit does, remembers them in a preset for the next file, and undo removes what it created', async () => {
    const parent = await Theme.findOne({ code: 'alimentation' }).lean();
    const upload = await client.post('/api/imports', uploadForm('reseau.csv', spreadsheet, { subscribeList: 'lettre-mensuelle' }));
    const id = upload.body.id;
    const chosen = await client.post(`/api/imports/${id}/preview`, {
      values: [
        { field: 'themes', value: 'Nutrition', action: 'create', label: 'Nutrition', parent: String(parent!._id) },
        { field: 'function', value: 'Médecin généraliste', action: 'create', label: 'Médecin généraliste' },
        { field: 'function', value: 'Infirmière', action: 'ignore' },
        { field: 'themes', value: 'Addictions', action: 'existing', targets: [String((await Theme.findOne({ code: 'sante-mentale' }).lean())!._id)] },
      ],
      organisations: [{ name: 'Pays de Rennes', action: 'create', type: 'epci', territory: 'commune-35238' }],
    });
    expect(chosen.status, chosen.text).to.equal(200);
    const preview = chosen.body.preview.counts;
    expect(preview).to.include({ themesCreated: 1, entriesCreated: 1 });
    expect(valueOf(chosen.body, 'themes', 'Nutrition')).to.include({ action: 'create', source: 'staff' });
    expect(valueOf(chosen.body, 'function', 'Infirmière')).to.include({ action: 'ignore' });
    // one decision changed only its value: the others keep their suggestion
    expect(valueOf(chosen.body, 'function', 'Coordinatrice ASV')).to.include({ source: 'suggestion' });
    expect(chosen.body.organisations.find((o: { name: string }) => o.name === 'Pays de Rennes'), JSON.stringify(chosen.body.organisations.map((o: { name: string }) => o.name))).to.include({ type: 'epci', source: 'staff' });

    const before = { organisations: await Organisation.countDocuments(), themes: await Theme.countDocuments(), functions: await Vocabulary.countDocuments({ kind: 'functions' }) };
    await client.post(`/api/imports/${id}/commit`);
    const done = await waitForImport(client, id);
    expect(done.status, done.failure).to.equal('done');
    for (const key of ['rows', 'created', 'updated', 'unchanged', 'duplicates', 'skipped', 'errors', 'warnings', 'blank', 'subscribed', 'organisationsCreated', 'themesCreated', 'entriesCreated']) {
      expect(done.counts[key], key).to.equal(preview[key]);
    }
    const nutrition = await Theme.findOne({ name: 'Nutrition' }).lean();
    expect(String(nutrition!.parent)).to.equal(String(parent!._id));
    const karim = await Contact.findOne({ email: 'k.benali@saintdenis.re' }).lean();
    expect(karim!.themes.map(String)).to.deep.equal([String(nutrition!._id)]);
    const paul = await Contact.findOne({ email: 'paul.girard@cabinet-girard.fr' }).lean();
    expect(paul!.function).to.equal('medecin-generaliste');
    expect(await Organisation.countDocuments()).to.equal(before.organisations + preview.organisationsCreated);
    // contact history: who, which import, the values written
    const history = await client.get(`/api/contacts/${karim!._id}/history`);
    const created = history.body.find((h: { action: string }) => h.action === 'create');
    expect(created, JSON.stringify(history.body)).to.include({ via: `import:${id}`, actorName: 'Test staff' });
    expect(created.changes.map((c: { field: string }) => c.field)).not.to.include('emails'); // nothing written, nothing shown
    expect(created.changes).to.deep.include({ field: 'themes', before: null, after: [String(nutrition!._id)] });

    // saved as a preset: the next file gets the same decisions
    const preset = await client.post('/api/imports/presets', { name: 'Annuaire réseau', fromImport: id });
    expect(preset.status, preset.text).to.equal(201);
    const next = await client.post('/api/imports', uploadForm('suite.csv', 'Adresse e-mail;Fonction;Thématiques\r\nnouvelle@exemple.fr;Infirmière;Addictions, Nutrition\r\n', { preset: 'Annuaire réseau' }));
    expect(next.status, next.text).to.equal(201);
    expect(valueOf(next.body, 'function', 'Infirmière')).to.include({ action: 'ignore', source: 'preset' });
    expect(valueOf(next.body, 'themes', 'Nutrition')).to.deep.include({ action: 'existing', targets: [String(nutrition!._id)] });
    // and without the preset, what staff chose is suggested as chosen before
    const plain = await client.post('/api/imports', uploadForm('suite.csv', 'Email;Thèmes\r\nautre@exemple.fr;Addictions\r\n'));
    expect(valueOf(plain.body, 'themes', 'Addictions')).to.include({ source: 'learned' });
    expect(valueOf(plain.body, 'themes', 'Addictions').suggestion!.reason).to.equal('learned');

    await client.post(`/api/imports/${id}/undo`);
    const undone = await waitForImport(client, id, ['undone']);
    expect(undone.undoReport.deleted).to.equal(31);
    expect(await Contact.countDocuments()).to.equal(0);
    expect(await Subscription.countDocuments()).to.equal(0);
    expect(await Organisation.countDocuments()).to.equal(before.organisations);
    expect(await Theme.countDocuments()).to.equal(before.themes);
    expect(await Vocabulary.countDocuments({ kind: 'functions' })).to.equal(before.functions);
  });

  it('subscribes to the lists a "Listes" column names, per list and only with consent proof, and counts them in the preview as the commit does', async () => {
    const csv = [
      'Adresse e-mail;Listes;Date de consentement;OPTIN_IP;CONFIRM_IP',
      'alice@exemple.fr;Lettre mensuelle, informations du réseau;10/01/2025;81.250.1.10;81.250.1.11',
      'bruno@exemple.fr;lettre-mensuelle;;;',
      'chloe@exemple.fr;Liste des partenaires;10/01/2025;;',
    ].join('\r\n');
    const reply = await client.post('/api/imports', uploadForm('listes.csv', csv));
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body.mapping.map((m: { field: string }) => m.field)).to.deep.equal(['email', 'lists', 'consentAt', 'consentIp', 'consentConfirmedIp']);
    expect(valueOf(reply.body, 'lists', 'Lettre mensuelle')).to.deep.include({ action: 'existing', targetLabels: ['Lettre mensuelle'] });
    expect(valueOf(reply.body, 'lists', 'informations du réseau').targetLabels).to.deep.equal(['Informations du réseau']);
    expect(valueOf(reply.body, 'lists', 'Liste des partenaires')).to.include({ action: 'text' });
    const preview = reply.body.preview;
    expect(preview.counts).to.include({ created: 3, subscribed: 2, warnings: 1 });
    expect(preview.subscriptions.map((s: { name: string; count: number }) => `${s.name}:${s.count}`).sort()).to.deep.equal(['Informations du réseau:1', 'Lettre mensuelle:1']);

    const refused = await client.post(`/api/imports/${reply.body.id}/preview`, { values: [{ field: 'lists', value: 'Liste des partenaires', action: 'create', label: 'Partenaires' }] });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.field).to.equal('values.0.action');

    await client.post(`/api/imports/${reply.body.id}/commit`);
    const done = await waitForImport(client, reply.body.id);
    expect(done.counts).to.include({ subscribed: 2 });
    const alice = await Contact.findOne({ email: 'alice@exemple.fr' }).lean();
    const subscriptions = await Subscription.find({ contact: alice!._id }).lean();
    expect(subscriptions).to.have.length(2);
    expect(subscriptions[0].consent).to.include({ ip: '81.250.1.10', confirmedIp: '81.250.1.11' });
    expect(await Subscription.countDocuments({ contact: (await Contact.findOne({ email: 'bruno@exemple.fr' }).lean())!._id })).to.equal(0);
    expect((await Contact.findOne({ email: 'chloe@exemple.fr' }).lean())!.unresolvedLabels).to.deep.equal(['Liste : Liste des partenaires']);
  });
});
