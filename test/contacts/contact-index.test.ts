import { expect } from 'chai';
import { Types } from 'mongoose';
import { contactQuery } from '../../server/contacts/contact.filter.js';
import { contactIndex, forgetContactIndex, noteContactsChanged, queryContactIndex, snapshotWritten } from '../../server/contacts/contact.index.js';
import mongoose from 'mongoose';
import { Contact } from '../../server/contacts/contact.model.js';
import type { ContactFilter } from '../../server/contacts/contact.schemas.js';
import { deriveContactFields } from '../../server/contacts/contact.service.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { postContact, postOrganisation, themeIds } from './fixtures.js';

describe('the in-memory contact index', () => {
  let server: TestServer;
  let staff: Client;
  let themes: Record<string, string>;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    themes = await themeIds();
    const org = await postOrganisation(staff, { name: 'Métropole de Lyon', type: 'epci', territory: 'epci-200046977' });
    const people: Array<[string, string, string[], string[], string[]]> = [
      ['Hélène', 'Abadie', ['commune-69123'], ['sante-mentale'], [org.id]],
      ['Éric', 'Bézier', ['commune-93066', 'qualite-qpv'], ['habitat'], []],
      ['Inès', 'Çelik', ['departement-59'], ['cadre-vie', 'alimentation'], [org.id]],
      ['Noël', 'Dupré', ['region-84'], [], []],
      ['Zoé', 'Étienne', [], ['precarite'], []],
    ];
    for (const [firstName, lastName, territories, codes, organisations] of people) {
      await postContact(staff, { firstName, lastName, email: `${lastName.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@exemple.fr`, territories, themes: codes.map((c) => themes[c]), organisations });
    }
  });
  after(() => server.close());

  it('answers every filter exactly like the database does', async () => {
    const filters: ContactFilter[] = [
      {},
      { q: 'hel' },
      { q: 'ETIENNE' },
      { q: 'metropole lyon' },
      { territories: ['region-84'] },
      { territories: ['qualite-qpv', 'departement-59'] },
      { themes: [themes['cadre-vie']] },
      { themes: [themes['cadre-vie'], themes.alimentation], themesMode: 'all' },
      { organisationTypes: ['epci'], territories: ['region-84'] },
      { membership: ['non-membre'] },
      { q: 'e', territories: ['region-84', 'region-11'] },
      { q: 'abadie.fr' },
      { functions: ['coordo-asv'] },
      { dispositifs: ['asv'], themes: [themes.habitat] },
    ];
    for (const filter of filters) {
      const where = await contactQuery(filter);
      const fromDb = (await Contact.find(where, { _id: 1 }).sort({ sortName: 1 }).lean()).map((c) => String(c._id));
      const fromIndex = await queryContactIndex(where, { sort: { field: 'sortName', order: 1 }, skip: 0, limit: 100 });
      expect(fromIndex.ids, JSON.stringify(filter)).to.deep.equal(fromDb);
      expect(fromIndex.total).to.equal(fromDb.length);
    }
  });

  it('sees contacts written in a batch by another part of the app once they are noted', async () => {
    const _id = new Types.ObjectId();
    const doc = await deriveContactFields({ _id, email: 'lot@exemple.fr', firstName: 'Gaëlle', lastName: 'Lot', emails: [], territories: ['commune-93066'], organisations: [] });
    await Contact.collection.insertOne({ ...doc, themes: [], phones: [], dispositifs: [], createdAt: new Date(), updatedAt: new Date() });
    await noteContactsChanged([_id]);
    const found = await staff.get(listPath('contacts', { filter: { q: 'gaelle', territories: ['departement-93'] } }));
    expect(found.body.map((c: { id: string }) => c.id)).to.deep.equal([String(_id)]);
    await Contact.collection.deleteOne({ _id });
    await noteContactsChanged([_id]);
    expect((await staff.get(listPath('contacts', { filter: { q: 'gaelle' } }))).body).to.deep.equal([]);
  });

  it('catches up thousands of noted changes at once (creations, updates, deletions)', async function () {
    this.timeout(120_000); // 2,500 writes: a while over PostgreSQL on a busy machine
    await contactIndex();
    const docs = await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        deriveContactFields({ _id: new Types.ObjectId(), email: `vague${i}@exemple.fr`, firstName: 'Vague', lastName: `Nom${i}`, emails: [], territories: [], organisations: [] }),
      ),
    );
    await Contact.collection.insertMany(docs.map((doc) => ({ ...doc, themes: [], phones: [], dispositifs: [], createdAt: new Date(), updatedAt: new Date() })));
    await noteContactsChanged(docs.map((d) => d._id));
    const count = async (q: string) => (await queryContactIndex(await contactQuery({ q } as ContactFilter), { sort: { field: 'sortName', order: 1 }, skip: 0, limit: 1 })).total;
    expect(await count('vague')).to.equal(2500);

    const [removed, renamed] = [docs.slice(0, 1000).map((d) => d._id), docs.slice(1000, 1500).map((d) => d._id)];
    await Contact.collection.deleteMany({ _id: { $in: removed } });
    await Contact.collection.updateMany({ _id: { $in: renamed } }, { $set: { searchTokens: ['houle'] } });
    await noteContactsChanged([...removed, ...renamed]);
    expect([await count('vague'), await count('houle')]).to.deep.equal([1000, 500]);
    await Contact.collection.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
    await noteContactsChanged(docs.map((d) => d._id));
    expect(await count('houle')).to.equal(0);
  });

  it('starts a new process from the stored copy of the index, then catches up through the log', async () => {
    const snapshots = mongoose.connection.db!.collection('contact_index_snapshots');
    await snapshotWritten(); // a copy an earlier test started would otherwise replace this one's
    await snapshots.deleteMany({});
    forgetContactIndex();
    await contactIndex(); // a full read of the contacts, stored in the background
    const deadline = Date.now() + 20_000;
    while (!(await snapshots.findOne({ _id: 'manifest' as never })) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await snapshots.findOne({ _id: 'manifest' as never })).to.not.equal(null);

    const insert = async (email: string, firstName: string) => {
      const _id = new Types.ObjectId();
      const doc = await deriveContactFields({ _id, email, firstName, lastName: 'Reprise', emails: [], territories: [], organisations: [] });
      await Contact.collection.insertOne({ ...doc, themes: [], phones: [], dispositifs: [], createdAt: new Date(), updatedAt: new Date() });
      return _id;
    };
    const noted = await insert('notee@exemple.fr', 'Noémie');
    await noteContactsChanged([noted]);
    const unnoted = await insert('muette@exemple.fr', 'Muriel'); // bypasses the log on purpose

    forgetContactIndex(); // as a restarted process
    const names = (await staff.get(listPath('contacts', { filter: { q: 'reprise' } }))).body.map((c: { firstName: string }) => c.firstName);
    // From the copy (the unnoted write is not in it: a full read would have seen it) plus the log.
    expect(names).to.deep.equal(['Noémie']);
    await Contact.collection.deleteMany({ _id: { $in: [noted, unnoted] } });
    await noteContactsChanged([noted, unnoted]);
    expect((await staff.get(listPath('contacts', { filter: { q: 'reprise' } }))).body).to.deep.equal([]);
  });

  it('pages and sorts descending with the right Content-Range', async () => {
    const reply = await staff.get(listPath('contacts', { sort: ['lastName', 'DESC'], range: [1, 2] }));
    expect(reply.headers.get('content-range')).to.equal('contacts 1-2/5');
    expect(reply.body.map((c: { lastName: string }) => c.lastName)).to.deep.equal(['Dupré', 'Çelik']);
  });
});
