import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { Contact } from '../../server/contacts/contact.model.js';
import { createContact, findOrCreateContactByEmail } from '../../server/contacts/contact.service.js';
import { insertContacts, newContactDefaults, newContactIds } from '../../server/contacts/contact.store.js';
import { History } from '../../server/history/history.model.js';
import '../../server/memberships/membership.model.js'; // its unique (memberKey, year) index is what a merge must respect
import { Suppression } from '../../server/suppressions/suppression.model.js';
import { emailHash, isSuppressed } from '../../server/suppressions/suppression.service.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { postContact, postOrganisation, themeIds } from './fixtures.js';

const raw = (name: string) => mongoose.connection.db!.collection(name);

describe('merging and erasing contacts', () => {
  let server: TestServer;
  let staff: Client;
  let admin: Client;
  let themes: Record<string, string>;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    admin = (await clientAs(server, 'admin')).client;
    themes = await themeIds();
  });
  after(() => server.close());

  it('lists possible duplicates: same name, or same last name in the same organisation', async () => {
    const ville = await postOrganisation(staff, { name: 'Ville de Grenoble', type: 'commune', territory: 'commune-38185' });
    const a = await postContact(staff, { firstName: 'Élodie', lastName: 'Garnier', email: 'elodie.garnier@a.fr' });
    const b = await postContact(staff, { firstName: 'elodie', lastName: 'GARNIER', email: 'egarnier@b.fr' });
    const c = await postContact(staff, { firstName: 'J.', lastName: 'Roux', email: 'j.roux@grenoble.fr', organisations: [ville.id] });
    const d = await postContact(staff, { firstName: 'Julien', lastName: 'Roux', email: 'julien.roux@gmail.com', organisations: [ville.id] });
    await postContact(staff, { firstName: 'Paul', lastName: 'Roux', email: 'paul.roux@ailleurs.fr' });
    const reply = await staff.get('/api/contacts/duplicates');
    expect(reply.status).to.equal(200);
    const groups = reply.body.map((g: { reason: string; contacts: { id: string }[] }) => ({ reason: g.reason, ids: g.contacts.map((x) => x.id).sort() }));
    expect(groups).to.deep.include({ reason: 'same-name', ids: [a.id, b.id].sort() });
    expect(groups).to.deep.include({ reason: 'same-name-and-organisation', ids: [c.id, d.id].sort() });
    expect(groups).to.have.length(2);
  });

  it('merges two contacts keeping every e-mail, tag, organisation, subscription, membership, solicitation and both histories', async () => {
    const cls = await postOrganisation(staff, { name: 'CCAS de Villeurbanne', type: 'autre', territory: 'commune-69266' });
    const asso = await postOrganisation(staff, { name: 'Association Bien Vivre', type: 'association-locale' });
    const kept = await postContact(staff, {
      firstName: 'Sophie',
      lastName: 'Durand',
      email: 'sophie.durand@villeurbanne.fr',
      phones: ['04 72 00 00 01'],
      organisations: [cls.id],
      themes: [themes.habitat],
      territories: ['commune-69266'],
      notes: 'Rencontrée aux rencontres nationales.',
    });
    const other = await postContact(staff, {
      civility: 'madame',
      firstName: 'Sophie',
      lastName: 'Durand',
      email: 's.durand@gmail.com',
      emails: ['sophie.d@orange.fr'],
      phones: ['06 00 00 00 02'],
      function: 'coordo-cls',
      organisations: [asso.id],
      themes: [themes['sante-mentale']],
      territories: ['departement-69'],
      dispositifs: ['cls'],
      notes: 'Coordonne le CLS.',
    });
    await staff.put(`/api/contacts/${other.id}`, { lastName: 'Durand-Martin' });
    const keptId = new Types.ObjectId(kept.id);
    const otherId = new Types.ObjectId(other.id);
    const [newsletter, network] = [new Types.ObjectId(), new Types.ObjectId()];
    await raw('subscriptions').insertMany([
      { contact: keptId, list: newsletter, status: 'subscribed' },
      { contact: otherId, list: newsletter, status: 'subscribed' },
      { contact: otherId, list: network, status: 'subscribed' },
    ]);
    await raw('memberships').insertOne({ contact: otherId, memberKey: `contact:${other.id}`, year: 2026, category: 'individuel', fee: 20, paymentStatus: 'paid' });
    await raw('memberships').insertOne({ organisation: new Types.ObjectId(asso.id), representative: otherId, memberKey: `organisation:${asso.id}`, year: 2026, category: 'asso', fee: 50 });
    await raw('solicitations').insertOne({ requester: otherId, type: 'information', receivedAt: new Date() });
    await raw('deliveries').insertOne({ contact: otherId, mailing: new Types.ObjectId(), status: 'sent' });

    const reply = await staff.post(`/api/contacts/${kept.id}/merge`, { source: other.id });
    expect(reply.status, reply.text).to.equal(200);
    const merged = reply.body;
    expect(merged.email).to.equal('sophie.durand@villeurbanne.fr');
    expect(merged.emails).to.have.members(['s.durand@gmail.com', 'sophie.d@orange.fr']);
    expect(merged.phones).to.have.members(['04 72 00 00 01', '06 00 00 00 02']);
    expect(merged.organisations).to.have.members([cls.id, asso.id]);
    expect(merged.themes).to.have.members([themes.habitat, themes['sante-mentale']]);
    expect(merged.territories).to.have.members(['commune-69266', 'departement-69']);
    expect(merged.dispositifs).to.deep.equal(['cls']);
    expect(merged).to.include({ civility: 'madame', function: 'coordo-cls' });
    expect(merged.notes).to.contain('rencontres nationales').and.to.contain('Coordonne le CLS');
    expect(merged.organisationTypes).to.have.members(['autre', 'association-locale']);
    expect(await Contact.exists({ _id: otherId })).to.equal(null);

    const subscriptions = await raw('subscriptions').find({ contact: keptId }).toArray();
    expect(subscriptions.map((s) => String(s.list))).to.have.members([String(newsletter), String(network)]);
    expect(await raw('subscriptions').countDocuments({ contact: otherId })).to.equal(0);
    expect(await raw('memberships').countDocuments({ contact: keptId })).to.equal(1);
    expect((await raw('memberships').findOne({ contact: keptId }))?.memberKey).to.equal(`contact:${kept.id}`);
    expect(await raw('memberships').countDocuments({ representative: keptId })).to.equal(1);
    expect(await raw('solicitations').countDocuments({ requester: keptId })).to.equal(1);
    expect(await raw('deliveries').countDocuments({ contact: keptId })).to.equal(1);

    const history = (await staff.get(`/api/contacts/${kept.id}/history`)).body as { action: string; mergedFrom?: string }[];
    expect(history.map((h) => h.action)).to.deep.equal(['merge', 'update', 'create', 'create']);
    expect(history.filter((h) => h.mergedFrom === other.id)).to.have.length(3);
    // the absorbed addresses now find the kept contact
    const again = await staff.post('/api/contacts', { email: 'SOPHIE.D@orange.fr' });
    expect(again.status).to.equal(409);
    expect(again.body.error.existing.id).to.equal(kept.id);
  });

  it('refuses, writing nothing, to merge two contacts who each hold a membership for the same year', async () => {
    const a = await postContact(staff, { firstName: 'Luc', lastName: 'Bernard', email: 'luc.bernard@a.fr' });
    const b = await postContact(staff, { firstName: 'Luc', lastName: 'Bernard', email: 'lbernard@b.fr' });
    for (const [person, year] of [[a, 2025], [a, 2026], [b, 2026]] as const) {
      await raw('memberships').insertOne({ contact: new Types.ObjectId(person.id), memberKey: `contact:${person.id}`, year, category: 'individuel', fee: 20, paymentStatus: 'paid' });
    }
    const before = await raw('memberships').find({}, { sort: { _id: 1 } }).toArray();

    const reply = await staff.post(`/api/contacts/${a.id}/merge`, { source: b.id });
    expect(reply.status).to.equal(409);
    expect(reply.body.error.field).to.equal('source');
    expect(reply.body.error.message).to.contain('adhésion pour 2026');
    expect(await Contact.exists({ _id: b.id })).to.not.equal(null);
    expect(await raw('memberships').find({}, { sort: { _id: 1 } }).toArray()).to.deep.equal(before);

    // Once one of them is gone, the merge goes through and the membership follows its member.
    await raw('memberships').deleteOne({ memberKey: `contact:${b.id}`, year: 2026 });
    await raw('memberships').insertOne({ contact: new Types.ObjectId(b.id), memberKey: `contact:${b.id}`, year: 2024, category: 'individuel', fee: 20, paymentStatus: 'paid' });
    expect((await staff.post(`/api/contacts/${a.id}/merge`, { source: b.id })).status).to.equal(200);
    const kept = await raw('memberships').find({ contact: new Types.ObjectId(a.id) }).toArray();
    expect(kept.map((m) => [m.year, m.memberKey]).sort()).to.deep.equal([
      [2024, `contact:${a.id}`],
      [2025, `contact:${a.id}`],
      [2026, `contact:${a.id}`],
    ]);
  });

  it('refuses to merge a contact with itself or with an unknown one', async () => {
    const alone = await postContact(staff, { email: 'seule@exemple.fr' });
    expect((await staff.post(`/api/contacts/${alone.id}/merge`, { source: alone.id })).status).to.equal(400);
    const unknown = await staff.post(`/api/contacts/${alone.id}/merge`, { source: '0123456789abcdef01234567' });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.field).to.equal('source');
  });

  it('exports everything held on a contact as JSON', async () => {
    const person = await postContact(staff, { firstName: 'Inès', lastName: 'Petit', email: 'ines.petit@exemple.fr', territories: ['commune-93066'] });
    await raw('subscriptions').insertOne({ contact: new Types.ObjectId(person.id), list: new Types.ObjectId(), status: 'subscribed' });
    const reply = await staff.get(`/api/contacts/${person.id}/rgpd-export`);
    expect(reply.status).to.equal(200);
    expect(reply.body.contact).to.include({ email: 'ines.petit@exemple.fr', firstName: 'Inès' });
    expect(reply.body.territories[0]).to.include({ id: 'commune-93066', name: 'Saint-Denis' });
    expect(reply.body.subscriptions).to.have.length(1);
    expect(reply.body.history[0].action).to.equal('create');
  });

  it('erases a contact: personal data gone, figures kept, the e-mail blocked from coming back', async () => {
    const person = await postContact(staff, {
      firstName: 'Marc',
      lastName: 'Lambert',
      email: 'marc.lambert@exemple.fr',
      emails: ['mlambert@perso.fr'],
      phones: ['06 11 22 33 44'],
      notes: 'Préfère le téléphone.',
      territories: ['commune-93066'],
      themes: [themes.precarite],
      function: 'elu',
    });
    await staff.put(`/api/contacts/${person.id}`, { notes: 'Appeler le mardi.' });
    const id = new Types.ObjectId(person.id);
    // as contacts written before searchText was dropped still carry it
    await raw('contacts').updateOne({ _id: id }, { $set: { searchText: 'marc lambert marc.lambert@exemple.fr' } });
    await raw('subscriptions').insertOne({ contact: id, list: new Types.ObjectId(), status: 'subscribed' });
    expect((await staff.post(`/api/contacts/${person.id}/erase`)).status).to.equal(403); // administrators only
    const reply = await admin.post(`/api/contacts/${person.id}/erase`);
    expect(reply.status).to.equal(200);

    const stored = (await Contact.findById(id).lean())!;
    const text = JSON.stringify(stored);
    for (const personal of ['Marc', 'Lambert', 'marc.lambert', 'mlambert', '06 11 22 33 44', 'téléphone', 'mardi', 'commune-93066']) {
      expect(text).not.to.contain(personal);
    }
    expect(stored.erasedAt).to.be.instanceOf(Date);
    expect(stored.territories).to.deep.equal(['departement-93']);
    expect(stored.themes.map(String)).to.deep.equal([themes.precarite]);
    const history = JSON.stringify(await History.find({ record: id }).lean());
    expect(history).not.to.contain('Lambert').and.not.to.contain('mardi');
    expect((await raw('subscriptions').findOne({ contact: id }))!.status).to.equal('unsubscribed');

    expect(await isSuppressed('MARC.LAMBERT@exemple.fr ')).to.equal(true);
    expect(await isSuppressed('mlambert@perso.fr')).to.equal(true);
    expect(JSON.stringify(await Suppression.find().lean())).not.to.contain('lambert');
    expect((await Suppression.findOne({ emailHash: emailHash('marc.lambert@exemple.fr') }).lean())!.reason).to.equal('erased');

    const list = await staff.get('/api/contacts?filter={"q":"lambert"}');
    expect(list.body).to.deep.equal([]);
    const recreate = await staff.post('/api/contacts', { firstName: 'Marc', lastName: 'Lambert', email: 'Marc.Lambert@exemple.fr' });
    expect(recreate.status).to.equal(409);
    expect(recreate.body.error).to.include({ code: 'erased', field: 'email' });
    let blocked: unknown;
    await findOrCreateContactByEmail({ email: 'mlambert@perso.fr' }).catch((error: unknown) => (blocked = error));
    expect(blocked).to.have.property('code', 'erased');
    expect(await Contact.countDocuments({ email: /lambert/ })).to.equal(0);
  });

  it('keeps the histories of contacts created together (one document for their first entries) through a merge and an erasure', async () => {
    const ids = newContactIds(3);
    const at = new Date();
    const people = [
      ['Anne', 'Vasseur', 'anne.vasseur@bloc.fr'],
      ['Bruno', 'Quentel', 'bruno.quentel@bloc.fr'],
      ['Chloé', 'Ribeiro', 'chloe.ribeiro@bloc.fr'],
    ].map(([firstName, lastName, email], i) => ({ ...newContactDefaults(), _id: ids[i], firstName, lastName, email, sortName: lastName.toLowerCase(), createdAt: at, updatedAt: at }));
    const before = await History.countDocuments();
    await insertContacts(people, { via: 'import:6b11d4c91787a3910c0dec34' });
    expect(await History.countDocuments(), 'one history document for the three').to.equal(before + 1);
    for (const person of people) {
      const history = (await staff.get(`/api/contacts/${person._id}/history`)).body as { action: string; via: string; changes: { field: string; after: unknown }[] }[];
      expect(history.map((h) => h.action)).to.deep.equal(['create']);
      expect(history[0].via).to.equal('import:6b11d4c91787a3910c0dec34');
      expect(history[0].changes).to.deep.include({ field: 'lastName', before: null, after: person.lastName });
    }

    expect((await admin.post(`/api/contacts/${ids[1]}/erase`)).status).to.equal(200);
    const everything = JSON.stringify(await History.find().lean());
    expect(everything).not.to.contain('Quentel');
    expect(everything).to.contain('Vasseur').and.to.contain('Ribeiro');
    const erased = (await staff.get(`/api/contacts/${ids[1]}/history`)).body as { action: string }[];
    expect(erased.map((h) => h.action)).to.deep.equal(['erase', 'create']);

    expect((await staff.post(`/api/contacts/${ids[2]}/merge`, { source: String(ids[0]) })).status).to.equal(200);
    const kept = (await staff.get(`/api/contacts/${ids[2]}/history`)).body as { action: string; mergedFrom?: string; changes: { field: string; after: unknown }[] }[];
    expect(kept.map((h) => h.action)).to.deep.equal(['merge', 'create', 'create']);
    expect(kept.find((h) => h.action === 'create' && h.mergedFrom === String(ids[0]))?.changes).to.deep.include({ field: 'lastName', before: null, after: 'Vasseur' });
    const all = (await staff.get(listPath('history', { filter: { resource: 'contacts' }, range: [0, 999] }))).body as { record: string; action: string }[];
    expect(all.filter((h) => h.record === String(ids[0]))).to.deep.equal([]);
    expect(all.filter((h) => h.record === String(ids[2])).map((h) => h.action)).to.have.members(['merge', 'create', 'create']);
  });

  it('gives importers findOrCreateContactByEmail, which keeps an existing contact as it is', async () => {
    const first = await findOrCreateContactByEmail({ email: ' Nadia.Haddad@exemple.fr', firstName: 'Nadia' });
    expect(first.created).to.equal(true);
    const second = await findOrCreateContactByEmail({ email: 'nadia.haddad@EXEMPLE.fr', firstName: 'Autre' });
    expect(second.created).to.equal(false);
    expect(String(second.contact._id)).to.equal(String(first.contact._id));
    expect(second.contact.firstName).to.equal('Nadia');
    const direct = await createContact({ email: 'sans.nom@exemple.fr' });
    expect(direct.sortName).to.equal('sans.nom@exemple.fr');
  });
});
