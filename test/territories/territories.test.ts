import { expect } from 'chai';
import {
  getTerritory,
  resolveTerritoryLabel,
  searchTerritories,
  territoryScope,
} from '../../server/territories/territory.service.js';
import { clientAs, Client, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('territories', () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    client = (await clientAs(server, 'board')).client;
  });
  after(() => server.close());

  it('knows Saint-Denis (93066) with its postal codes, EPCI, département and région', () => {
    const saintDenis = getTerritory('commune-93066')!;
    expect(saintDenis).to.include({ kind: 'commune', name: 'Saint-Denis', label: 'Saint-Denis (93)' });
    expect(saintDenis.postalCodes).to.include('93200');
    expect(saintDenis.ancestors).to.include.members(['epci-200057867', 'departement-93', 'region-11']);
    expect(saintDenis.ancestors).not.to.include('departement-92');
    expect(saintDenis.ancestors).not.to.include('departement-94');
  });

  it('puts every ancestor in the scope of a commune, and outre-mer for Réunion', () => {
    expect(territoryScope(['commune-93066'])).to.include.members(['commune-93066', 'epci-200057867', 'departement-93', 'region-11']);
    expect(territoryScope(['commune-97411'])).to.include.members(['departement-974', 'region-04', 'qualite-outre-mer']);
    expect(territoryScope(['commune-93066'])).not.to.include('qualite-outre-mer');
  });

  it('finds "saint denis" without accents or hyphens, and by postal code', () => {
    const ids = searchTerritories('saint denis', 50).map((t) => t.id);
    expect(ids).to.include.members(['commune-93066', 'commune-97411']);
    expect(searchTerritories('echirolles', 5)[0].id).to.equal('commune-38151');
    expect(searchTerritories('93200', 5).map((t) => t.id)).to.include('commune-93066');
    expect(searchTerritories('93', 1)[0].id).to.equal('departement-93');
  });

  it('resolves the labels importers meet', () => {
    expect(resolveTerritoryLabel('Seine-Saint-Denis')?.id).to.equal('departement-93');
    expect(resolveTerritoryLabel('93')?.id).to.equal('departement-93');
    expect(resolveTerritoryLabel('Saint-Denis (93)')?.id).to.equal('commune-93066');
    expect(resolveTerritoryLabel('93200')?.id).to.equal('commune-93066');
    expect(resolveTerritoryLabel('auvergne rhone-alpes')?.id).to.equal('region-84');
    expect(resolveTerritoryLabel('Plaine Commune')?.id).to.equal('epci-200057867');
    expect(resolveTerritoryLabel('QPV')?.id).to.equal('qualite-qpv');
    expect(resolveTerritoryLabel('2A')?.id).to.equal('departement-2A');
    expect(resolveTerritoryLabel('Nulle-Part-sur-Mer')).to.equal(undefined);
  });

  it('serves GET /api/territories with a q filter and a Content-Range', async () => {
    const reply = await client.get(listPath('territories', { filter: { q: 'SAINT-DENIS', kind: 'commune' }, range: [0, 9] }));
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-range')).to.match(/^territories 0-9\/\d+$/);
    expect(reply.body.map((t: { id: string }) => t.id)).to.include('commune-93066');
    const many = await client.get(listPath('territories', { filter: { id: ['region-11', 'departement-93'] } }));
    expect(many.body.map((t: { name: string }) => t.name)).to.deep.equal(['Île-de-France', 'Seine-Saint-Denis']);
    const one = await client.get('/api/territories/epci-200057867');
    expect(one.body).to.include({ id: 'epci-200057867', name: 'Plaine Commune' });
  });

  it('answers 404 for an unknown territory and 400 for an operator in the filter', async () => {
    expect((await client.get('/api/territories/commune-00000')).status).to.equal(404);
    const reply = await client.get(listPath('territories', { filter: { q: { $gt: '' } } }));
    expect(reply.status).to.equal(400);
    expect(reply.body.error.field).to.equal('filter.q');
  });
});
