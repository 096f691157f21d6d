import { expect } from 'chai';
import { ensureAdminBuild } from '../../scripts/admin-build.js';
import { Client, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('serving the admin at /admin', () => {
  let server: TestServer;
  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    ensureAdminBuild();
    server = await startTestServer();
  });
  after(() => server.close());

  it('serves the French single-page app at /admin/', async () => {
    const reply = await new Client(server.url).get('/admin/');
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/text\/html/);
    expect(reply.text).to.include('<html lang="fr">').and.to.include('/admin/assets/');
    expect(reply.headers.get('cache-control')).to.equal('no-cache');
  });

  it('answers a deep link of the app with index.html so a reload works', async () => {
    const reply = await new Client(server.url).get('/admin/contacts/0123456789abcdef01234567/show');
    expect(reply.status).to.equal(200);
    expect(reply.text).to.include('<div id="root"></div>');
  });

  it('serves hashed assets with a long cache and 404s a missing one', async () => {
    const client = new Client(server.url);
    const script = (await client.get('/admin/')).text.match(/\/admin\/assets\/[\w.-]+\.js/)![0];
    const asset = await client.get(script);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.include('immutable');
    expect((await client.get('/admin/assets/absent-123.js')).status).to.equal(404);
    const gzipped = await fetch(server.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).to.equal('gzip');
    expect(gzipped.headers.get('content-type')).to.match(/javascript/);
    expect(gzipped.headers.get('cache-control')).to.include('immutable');
    expect(await gzipped.text()).to.equal(asset.text); // fetch inflates it: the same script
  });

  it('leaves /api answers untouched', async () => {
    const reply = await new Client(server.url).get('/api/users');
    expect(reply.status).to.equal(401);
  });
});
