import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { History } from '../../server/history/history.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { Segment } from '../../server/segments/segment.model.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { postContact, themeIds } from './fixtures.js';

describe('bad input to contacts, organisations and segments', () => {
  let server: TestServer;
  let staff: Client;
  let themes: Record<string, string>;
  let existing: { id: string };
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    themes = await themeIds();
    existing = await postContact(staff, { firstName: 'Anne', lastName: 'Roy', email: 'anne.roy@exemple.fr' });
  });
  after(() => server.close());

  const snapshot = async () => [await Contact.countDocuments(), await Organisation.countDocuments(), await Segment.countDocuments(), await History.countDocuments()];

  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['an unknown territory code', 'contacts', { email: 'a@b.fr', territories: ['commune-99999'] }, 'territories'],
    ['a malformed territory id', 'contacts', { email: 'a@b.fr', territories: ['Saint-Denis'] }, 'territories.0'],
    ['an unknown theme', 'contacts', { email: 'a@b.fr', themes: ['0123456789abcdef01234567'] }, 'themes'],
    ['a malformed theme id', 'contacts', { email: 'a@b.fr', themes: ['sante-mentale'] }, 'themes.0'],
    ['a malformed organisation id', 'contacts', { email: 'a@b.fr', organisations: ['xyz'] }, 'organisations.0'],
    ['an unknown organisation', 'contacts', { email: 'a@b.fr', organisations: ['0123456789abcdef01234567'] }, 'organisations'],
    ['an unknown function', 'contacts', { email: 'a@b.fr', function: 'astronaute' }, 'function'],
    ['an unknown dispositif', 'contacts', { email: 'a@b.fr', dispositifs: ['asv', 'xyz'] }, 'dispositifs'],
    ['an invalid e-mail', 'contacts', { email: 'pas-une-adresse' }, 'email'],
    ['an operator object as e-mail', 'contacts', { email: { $gt: '' } }, 'email'],
    ['an operator object as first name', 'contacts', { email: 'a@b.fr', firstName: { $ne: null } }, 'firstName'],
    ['an operator object in a list', 'contacts', { email: 'a@b.fr', themes: [{ $gt: '' }] }, 'themes.0'],
    ['an operator key at the top', 'contacts', { email: 'a@b.fr', $set: { email: 'x' } }, '$set'],
    ['an unknown organisation type', 'organisations', { name: 'Mairie', type: 'planete' }, 'type'],
    ['an unknown organisation territory', 'organisations', { name: 'Mairie', type: 'commune', territory: 'commune-00000' }, 'territory'],
    ['an operator object as organisation name', 'organisations', { name: { $gt: '' }, type: 'commune' }, 'name'],
    ['a bad SIREN', 'organisations', { name: 'Mairie', type: 'commune', siren: '12' }, 'siren'],
    ['an unknown theme in a segment', 'segments', { name: 'S', filter: { themes: ['0123456789abcdef01234567'] } }, 'filter.themes'],
    ['an unknown territory in a segment', 'segments', { name: 'S', filter: { territories: ['departement-999'] } }, 'filter.territories'],
    ['an operator object in a segment filter', 'segments', { name: 'S', filter: { q: { $regex: '.*' } } }, 'filter.q'],
    ['an operator key in a segment filter', 'segments', { name: 'S', filter: { $where: 'sleep(1000)' } }, 'filter.$where'],
    ['an unknown segment in a segment', 'segments', { name: 'S', filter: { segment: '0123456789abcdef01234567' } }, 'filter.segment'],
  ];
  for (const [what, resource, body, field] of cases) {
    it(`answers 400 naming "${field}" for ${what} in POST /api/${resource}, and writes nothing`, async () => {
      const before = await snapshot();
      const reply = await staff.post(`/api/${resource}`, body);
      expect(reply.status, reply.text).to.equal(400);
      expect(reply.body.error.field).to.equal(field);
      expect(reply.body.error.message).to.be.a('string').and.not.to.match(/Invalid input|expected [a-z]|Unrecognized/);
      expect(await snapshot()).to.deep.equal(before);
    });
  }

  it('answers 400 for an operator object or an unknown code in a list filter', async () => {
    const filters: Array<[Record<string, unknown>, string]> = [
      [{ q: { $gt: '' } }, 'filter.q'],
      [{ email: { $gt: '' } }, 'filter.email'],
      [{ themes: { $in: [] } }, 'filter.themes'],
      [{ territories: ['commune-99999'] }, 'filter.territories'],
      [{ themes: ['0123456789abcdef01234567'] }, 'filter.themes'],
      [{ functions: ['astronaute'] }, 'filter.functions'],
      [{ lists: ['0123456789abcdef01234567'] }, 'filter.lists'],
      [{ id: ['nope'] }, 'filter.id.0'],
    ];
    for (const [filter, field] of filters) {
      const reply = await staff.get(listPath('contacts', { filter }));
      expect(reply.status, JSON.stringify(filter)).to.equal(400);
      expect(reply.body.error.field).to.equal(field);
    }
    const exportReply = await staff.get(`/api/contacts/export.csv?filter=${encodeURIComponent('{"q":{"$gt":""}}')}`);
    expect(exportReply.status).to.equal(400);
  });

  it('answers 400 to a bad update and 404 to a malformed or unknown id, changing nothing', async () => {
    const before = await Contact.findById(existing.id).lean();
    const reply = await staff.put(`/api/contacts/${existing.id}`, { lastName: 'Roy', territories: ['departement-93', 'departement-000'] });
    expect(reply.status).to.equal(400);
    expect(reply.body.error.field).to.equal('territories');
    const operator = await staff.put(`/api/contacts/${existing.id}`, { email: { $gt: '' } });
    expect(operator.body.error.field).to.equal('email');
    expect(await Contact.findById(existing.id).lean()).to.deep.equal(before);
    expect((await staff.get('/api/contacts/pas-un-id')).status).to.equal(404);
    expect((await staff.put('/api/contacts/0123456789abcdef01234567', { lastName: 'X' })).status).to.equal(404);
    expect((await staff.post(`/api/contacts/${existing.id}/merge`, { source: 'abc' })).body.error.field).to.equal('source');
  });

  it('accepts back on update the fields the API returns (react-admin sends the whole record)', async () => {
    const record = (await staff.get(`/api/contacts/${existing.id}`)).body;
    const reply = await staff.put(`/api/contacts/${existing.id}`, { ...record, themes: [themes.parentalite], searchText: 'ignored' });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.body.themes).to.deep.equal([themes.parentalite]);
    expect(reply.body.searchText, 'a derived field is the server\'s').to.equal(undefined);
    expect(reply.body.searchTokens).to.include('anne');
  });
});
