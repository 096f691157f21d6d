import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { ids, postContact, postOrganisation, themeIds } from './fixtures.js';

describe('the contact base', () => {
  let server: TestServer;
  let staff: Client;
  let themes: Record<string, string>;
  let helene: { id: string };
  let karim: { id: string };
  let lucie: { id: string };
  let echirolles: { id: string };

  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    themes = await themeIds();
    echirolles = await postOrganisation(staff, { name: "Ville d'Échirolles", type: 'commune', territory: 'commune-38151' });
    const plaine = await postOrganisation(staff, { name: 'Plaine Commune', type: 'epci', territory: 'epci-200057867' });
    helene = await postContact(staff, {
      firstName: 'Hélène',
      lastName: 'Lefèvre',
      email: 'Helene.Lefevre@Saint-Denis.fr ',
      function: 'coordo-asv',
      organisations: [plaine.id],
      territories: ['commune-93066'],
      themes: [themes.habitat],
      dispositifs: ['asv'],
    });
    karim = await postContact(staff, {
      firstName: 'Karim',
      lastName: 'Benali',
      email: 'k.benali@echirolles.fr',
      function: 'coordo-cls',
      organisations: [echirolles.id],
      territories: ['commune-38151'],
      themes: [themes['sante-mentale']],
    });
    lucie = await postContact(staff, {
      firstName: 'Lucie',
      lastName: 'Moreau',
      email: 'lucie.moreau@boulogne.fr',
      territories: ['commune-92012'],
      themes: [themes['cadre-vie'], themes['sante-mentale']],
    });
  });
  after(() => server.close());

  const find = async (filter: Record<string, unknown>) => {
    const reply = await staff.get(listPath('contacts', { filter, range: [0, 99] }));
    expect(reply.status, reply.text).to.equal(200);
    return ids(reply.body);
  };

  it('finds a contact tagged with commune 93066 by EPCI Plaine Commune, département 93 and région 11, not by département 92', async () => {
    expect(await find({ territories: ['commune-93066'] })).to.deep.equal([helene.id]);
    expect(await find({ territories: ['epci-200057867'] })).to.deep.equal([helene.id]);
    expect(await find({ territories: ['departement-93'] })).to.deep.equal([helene.id]);
    expect(await find({ territories: ['region-11'] })).to.deep.equal(ids([helene, lucie]));
    expect(await find({ territories: ['departement-92'] })).to.deep.equal([lucie.id]);
    expect(await find({ territories: ['departement-92', 'departement-38'] })).to.deep.equal(ids([karim, lucie]));
  });

  it('includes the sub-themes of a theme, and can require all themes', async () => {
    expect(await find({ themes: [themes['cadre-vie']] })).to.deep.equal(ids([helene, lucie]));
    expect(await find({ themes: [themes.habitat] })).to.deep.equal([helene.id]);
    expect(await find({ themes: [themes['sante-mentale'], themes.habitat] })).to.deep.equal(ids([helene, karim, lucie]));
    expect(await find({ themes: [themes['sante-mentale'], themes['cadre-vie']], themesMode: 'all' })).to.deep.equal([lucie.id]);
  });

  it('searches names, e-mails, organisation names and function without accents or case', async () => {
    expect(await find({ q: 'helene' })).to.deep.equal([helene.id]);
    expect(await find({ q: 'LEFEVRE hél' })).to.deep.equal([helene.id]);
    expect(await find({ q: 'echirolles' })).to.deep.equal([karim.id]);
    expect(await find({ q: 'plaine commune' })).to.deep.equal([helene.id]);
    expect(await find({ q: 'coordonnateur' })).to.deep.equal(ids([helene, karim]));
    expect(await find({ q: 'lucie.moreau@boulogne.fr' })).to.deep.equal([lucie.id]);
    expect(await find({ q: 'zzz' })).to.deep.equal([]);
  });

  it('filters by organisation type, function and dispositif, sorted by name with a Content-Range', async () => {
    expect(await find({ organisationTypes: ['commune'] })).to.deep.equal([karim.id]);
    expect(await find({ functions: ['coordo-asv', 'coordo-cls'] })).to.deep.equal(ids([helene, karim]));
    expect(await find({ dispositifs: ['asv'] })).to.deep.equal([helene.id]);
    const page = await staff.get(listPath('contacts', { sort: ['lastName', 'ASC'], range: [0, 1] }));
    expect(page.headers.get('content-range')).to.equal('contacts 0-1/3');
    expect(page.body.map((c: { lastName: string }) => c.lastName)).to.deep.equal(['Benali', 'Lefèvre']);
  });

  it('stores the primary e-mail trimmed and lower-cased, with the derived fields', async () => {
    const stored = await Contact.findById(helene.id).lean();
    expect(stored!.email).to.equal('helene.lefevre@saint-denis.fr');
    expect(stored!.territoryScope).to.include.members(['commune-93066', 'epci-200057867', 'departement-93', 'region-11']);
    expect(stored!.organisationTypes).to.deep.equal(['epci']);
    expect(stored!.sortName).to.equal('lefevre helene');
  });

  it('answers 409 naming the existing contact for the same e-mail in another case with spaces, and writes nothing', async () => {
    const before = await Contact.countDocuments();
    const reply = await staff.post('/api/contacts', { firstName: 'H.', lastName: 'L.', email: '  HELENE.LEFEVRE@saint-denis.FR' });
    expect(reply.status).to.equal(409);
    expect(reply.body.error.field).to.equal('email');
    expect(reply.body.error.message).to.contain('Hélène Lefèvre');
    expect(reply.body.error.existing.id).to.equal(helene.id);
    expect(await Contact.countDocuments()).to.equal(before);
  });

  it('keeps contacts searchable by their organisation after it is renamed, and lists its history', async () => {
    const renamed = await staff.put(`/api/organisations/${echirolles.id}`, { name: 'Mairie de Pont-de-Claix' });
    expect(renamed.status).to.equal(200);
    expect(await find({ q: 'pont de claix' })).to.deep.equal([karim.id]);
    expect(await find({ q: 'echirolles' })).to.deep.equal([karim.id]); // still in the e-mail
    const history = await staff.get(`/api/organisations/${echirolles.id}/history`);
    expect(history.body[0]).to.deep.include({ action: 'update' });
    expect(history.body[0].changes).to.deep.equal([{ field: 'name', before: "Ville d'Échirolles", after: 'Mairie de Pont-de-Claix' }]);
  });

  it('records who changed which field of a contact, before and after', async () => {
    const { client, user } = await clientAs(server, 'staff');
    const current = (await client.get(`/api/contacts/${karim.id}`)).body;
    const updated = await client.put(`/api/contacts/${karim.id}`, { ...current, lastName: 'Ben Ali', phones: ['04 76 00 00 00'] });
    expect(updated.status, updated.text).to.equal(200);
    const history = await client.get(`/api/contacts/${karim.id}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).to.deep.equal(['update', 'create']);
    const [last] = history.body;
    expect(last.actor).to.equal(user.id);
    expect(last.actorName).to.equal('Test staff');
    expect(last.changes).to.deep.include({ field: 'lastName', before: 'Benali', after: 'Ben Ali' });
    expect(last.changes).to.deep.include({ field: 'phones', before: [], after: ['04 76 00 00 00'] });
    expect(last.changes.map((c: { field: string }) => c.field)).to.have.members(['lastName', 'phones']);
    const viaResource = await client.get(listPath('history', { filter: { resource: 'contacts', record: karim.id } }));
    expect(viaResource.headers.get('content-range')).to.match(/\/2$/);
  });

  it('lets a board member read contacts but not write them', async () => {
    const board = (await clientAs(server, 'board')).client;
    expect((await board.get('/api/contacts')).status).to.equal(200);
    expect((await board.post('/api/contacts', { email: 'x@y.fr' })).status).to.equal(403);
  });
});
