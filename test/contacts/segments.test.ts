import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import mongoose, { Types } from 'mongoose';
import { Contact } from '../../server/contacts/contact.model.js';
import { Membership } from '../../server/memberships/membership.model.js';
import { segmentContactQuery } from '../../server/segments/segment.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { ids, postContact, postOrganisation, themeIds } from './fixtures.js';

const raw = (name: string) => mongoose.connection.db!.collection(name);

describe('segments and exports', () => {
  let server: TestServer;
  let staff: Client;
  let themes: Record<string, string>;
  let zoe: { id: string };
  let remi: { id: string };
  let formula: { id: string };
  let segmentId: string;
  let listId: Types.ObjectId;

  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    themes = await themeIds();
    const ars = await postOrganisation(staff, { name: 'ARS Auvergne-Rhône-Alpes', type: 'ars', territory: 'region-84' });
    zoe = await postContact(staff, {
      firstName: 'Zoé',
      lastName: 'Guérin',
      email: 'zoe.guerin@ars.sante.fr',
      organisations: [ars.id],
      territories: ['commune-69123'],
      themes: [themes['sante-mentale']],
      notes: 'Référente « santé mentale » ; très impliquée',
    });
    remi = await postContact(staff, { firstName: 'Rémi', lastName: 'Faure', email: 'remi.faure@lyon.fr', territories: ['commune-69123'], themes: [themes.alimentation] });
    formula = await postContact(staff, {
      firstName: '=HYPERLINK("http://x.y","clic")',
      lastName: '+33 Dupont',
      email: 'formule@exemple.fr',
      territories: ['commune-69123'],
      themes: [themes['sante-mentale']],
      notes: '@SUM(A1:A2)\tsuite',
      phones: ['-1234'],
    });
    await postContact(staff, { firstName: 'Paul', lastName: 'Nord', email: 'paul.nord@lille.fr', territories: ['commune-59350'], themes: [themes['sante-mentale']] });
    listId = new Types.ObjectId();
    await raw('lists').insertOne({ _id: listId, code: 'lettre-test', name: 'Lettre test' });
    // through the model: its writes reach the contact store's memory (a raw write would not)
    const consent = { at: new Date(), source: 'staff' };
    await Subscription.insertMany([
      { contact: new Types.ObjectId(zoe.id), list: listId, status: 'subscribed', source: 'staff', consent },
      { contact: new Types.ObjectId(remi.id), list: listId, status: 'unsubscribed', source: 'staff', consent },
    ]);
  });
  after(() => server.close());

  it('saves a segment and gives its live count and its contacts', async () => {
    const created = await staff.post('/api/segments', {
      name: 'Santé mentale dans le Rhône',
      filter: { themes: [themes['sante-mentale']], territories: ['departement-69'] },
    });
    expect(created.status, created.text).to.equal(201);
    segmentId = created.body.id;
    const one = await staff.get(`/api/segments/${segmentId}`);
    expect(one.body).to.include({ name: 'Santé mentale dans le Rhône', count: 2 });
    const contacts = await staff.get(`/api/segments/${segmentId}/contacts?range=[0,9]`);
    expect(contacts.headers.get('content-range')).to.equal('contacts 0-1/2');
    expect(ids(contacts.body)).to.deep.equal(ids([zoe, formula]));
    await postContact(staff, { email: 'nouvelle@lyon.fr', lastName: 'Nouvelle', territories: ['commune-69266'], themes: [themes['sante-mentale']] });
    expect((await staff.get(`/api/segments/${segmentId}/count`)).body.count).to.equal(3);
    expect(await Contact.countDocuments(await segmentContactQuery(segmentId))).to.equal(3);
  });

  it('filters the contact list by a segment plus ad-hoc criteria', async () => {
    const reply = await staff.get(listPath('contacts', { filter: { segment: segmentId, q: 'guerin' } }));
    expect(ids(reply.body)).to.deep.equal([zoe.id]);
  });

  it('filters by list subscription state', async () => {
    const subscribed = await staff.get(listPath('contacts', { filter: { lists: [String(listId)] } }));
    expect(ids(subscribed.body)).to.deep.equal([zoe.id]);
    const gone = await staff.get(listPath('contacts', { filter: { lists: [String(listId)], subscriptionStatus: ['unsubscribed'] } }));
    expect(ids(gone.body)).to.deep.equal([remi.id]);
  });

  it('filters by membership state, directly or through an organisation', async () => {
    const year = new Date().getFullYear();
    const zoeOrg = (await Contact.findById(zoe.id).lean())!.organisations[0];
    await Membership.insertMany([
      { organisation: zoeOrg, memberKey: `organisation:${zoeOrg}`, year, category: 'x', fee: 50, paymentStatus: 'paid', paidAt: new Date(Date.now() - 1000) },
      { contact: new Types.ObjectId(remi.id), memberKey: `contact:${remi.id}`, year, category: 'x', fee: 20, paymentStatus: 'due' },
    ]);
    const upToDate = await staff.get(listPath('contacts', { filter: { membership: ['a-jour'] } }));
    expect(ids(upToDate.body)).to.deep.equal([zoe.id]);
    const late = await staff.get(listPath('contacts', { filter: { membership: ['en-retard'] } }));
    expect(ids(late.body)).to.deep.equal([remi.id]);
    const nonMembers = await staff.get(listPath('contacts', { filter: { membership: ['non-membre'], territories: ['departement-69'] } }));
    expect(ids(nonMembers.body)).to.not.include(zoe.id).and.not.include(remi.id);
    expect(nonMembers.body).to.have.length(2);
  });

  it('exports a segment as CSV for French Excel: BOM, semicolons, accents intact, formula cells neutralised', async () => {
    const reply = await staff.get(`/api/segments/${segmentId}/export.csv`);
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(reply.headers.get('content-disposition')).to.match(/^attachment; filename="segment-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = Buffer.from(await (await fetch(server.url + `/api/segments/${segmentId}/export.csv`, { headers: { cookie: staff.cookie! } })).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes.toString('utf8'), { bom: true, delimiter: ';' });
    expect(rows[0]).to.include.members(['Prénom', 'Nom', 'E-mail', 'Thèmes', 'Territoires']);
    const header = rows[0];
    const records = rows.slice(1).map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
    expect(records).to.have.length(3);
    const guerin = records.find((r) => r['E-mail'] === 'zoe.guerin@ars.sante.fr')!;
    expect(guerin).to.include({ Prénom: 'Zoé', Nom: 'Guérin', Organisations: 'ARS Auvergne-Rhône-Alpes', Thèmes: 'Santé mentale', Territoires: 'Lyon (69)' });
    expect(guerin.Notes).to.equal('Référente « santé mentale » ; très impliquée');
    const danger = records.find((r) => r['E-mail'] === 'formule@exemple.fr')!;
    expect(danger.Prénom).to.equal(`'=HYPERLINK("http://x.y","clic")`);
    expect(danger.Nom).to.equal("'+33 Dupont");
    expect(danger.Notes).to.equal("'@SUM(A1:A2)\tsuite");
    expect(danger.Téléphones).to.equal("'-1234");
    for (const record of records) for (const cell of Object.values(record)) expect(cell).not.to.match(/^[=+\-@\t\r]/);
  });

  it('exports any filter as CSV or JSON', async () => {
    const filter = encodeURIComponent(JSON.stringify({ q: 'remi' }));
    const csv = await staff.get(`/api/contacts/export.csv?filter=${filter}`);
    expect(csv.text.split('\r\n').filter(Boolean)).to.have.length(2);
    const json = await staff.get(`/api/segments/${segmentId}/export.json`);
    expect(json.status).to.equal(200);
    expect(json.body.map((c: { email: string }) => c.email)).to.include('zoe.guerin@ars.sante.fr');
    expect(json.body[0].themes).to.deep.equal(['Santé mentale']);
  });

  it('updates and deletes a segment; refuses a segment that contains itself', async () => {
    const self = await staff.put(`/api/segments/${segmentId}`, { filter: { segment: segmentId } });
    expect(self.status).to.equal(400);
    expect(self.body.error.field).to.equal('filter.segment');
    const renamed = await staff.put(`/api/segments/${segmentId}`, { name: 'Rhône', filter: { territories: ['departement-69'] } });
    expect(renamed.status).to.equal(200);
    expect((await staff.get(`/api/segments/${segmentId}/count`)).body.count).to.equal(4);
    const list = await staff.get(listPath('segments'));
    expect(list.headers.get('content-range')).to.equal('segments 0-0/1');
    expect((await staff.delete(`/api/segments/${segmentId}`)).status).to.equal(200);
    expect((await staff.get(`/api/segments/${segmentId}`)).status).to.equal(404);
  });
});
