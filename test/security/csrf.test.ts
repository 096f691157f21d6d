import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { createUser } from '../../server/users/user.service.js';
import { Client, clientAs, resetDatabase, startTestServer, TEST_PASSWORD, type TestServer } from '../helpers.js';

/** What a page on another origin (or a sibling subdomain) can make a logged-in browser send. */
describe('CSRF: state-changing API requests come only from Maillage itself', () => {
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    await createUser({ email: 'csrf.login@fts.test', name: 'Login', role: 'staff', password: TEST_PASSWORD });
  });
  after(() => server.close());

  const json = (body: unknown, headers: Record<string, string> = {}) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

  async function send(path: string, init: { body?: BodyInit; headers?: Record<string, string> }, client: Client | undefined = staff) {
    const headers = { ...(client?.cookie ? { cookie: client.cookie } : {}), ...init.headers };
    const response = await fetch(server.url + path, { method: 'POST', body: init.body, headers });
    return { status: response.status, body: await response.json() };
  }

  it('refuses a form-encoded write with 403 and creates nothing', async () => {
    const reply = await send('/api/contacts', { body: new URLSearchParams({ email: 'forme@csrf.test', lastName: 'Forme' }) });
    expect(reply.status).to.equal(403);
    expect(reply.body.error.message).to.match(/JSON/);
    expect(await Contact.countDocuments({ email: 'forme@csrf.test' })).to.equal(0);
  });

  it('refuses text/plain and multipart writes without the admin header', async () => {
    const plain = await send('/api/contacts', { body: '{"email":"texte@csrf.test"}', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).to.equal(403);
    const form = new FormData();
    form.append('file', new Blob(['Email\nmulti@csrf.test\n']), 'contacts.csv');
    expect((await send('/api/imports', { body: form })).status).to.equal(403);
    expect(await Contact.countDocuments({ email: { $in: ['texte@csrf.test', 'multi@csrf.test'] } })).to.equal(0);
  });

  it('refuses a JSON write from another origin or a sibling site with 403', async () => {
    const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of foreign) {
      const reply = await send('/api/contacts', json({ email: 'origine@csrf.test', lastName: 'Origine' }, headers));
      expect(reply.status, JSON.stringify(headers)).to.equal(403);
      expect(reply.body.error.code).to.equal('cross_site_request');
    }
    expect(await Contact.countDocuments({ email: 'origine@csrf.test' })).to.equal(0);
  });

  it('accepts JSON writes from PUBLIC_URL or from the address the app was reached at', async () => {
    const fromPublicUrl = await send('/api/contacts', json({ email: 'public@csrf.test', lastName: 'Public' }, { origin: 'http://maillage.test', 'sec-fetch-site': 'same-origin' }));
    expect(fromPublicUrl.status).to.equal(201);
    const fromHost = await send('/api/contacts', json({ email: 'hote@csrf.test', lastName: 'Hôte' }, { origin: server.url, 'sec-fetch-site': 'same-origin' }));
    expect(fromHost.status).to.equal(201);
  });

  it('accepts the admin upload: multipart with its X-Requested-With header', async () => {
    const form = new FormData();
    form.append('file', new Blob(['Email;Nom\nupload@csrf.test;Upload\n']), 'contacts.csv');
    const reply = await send('/api/imports', { body: form, headers: { 'x-requested-with': 'XMLHttpRequest', origin: server.url } });
    expect(reply.status).to.equal(201);
  });

  it('closes login CSRF: a form post or a cross-site login gets 403 and no session', async () => {
    const credentials = { email: 'csrf.login@fts.test', password: TEST_PASSWORD };
    const form = await fetch(`${server.url}/api/auth/login`, { method: 'POST', body: new URLSearchParams(credentials) });
    expect(form.status).to.equal(403);
    expect(form.headers.get('set-cookie')).to.equal(null);
    const crossSite = await fetch(`${server.url}/api/auth/login`, { method: 'POST', ...json(credentials, { 'sec-fetch-site': 'cross-site' }) });
    expect(crossSite.status).to.equal(403);
    expect(crossSite.headers.get('set-cookie')).to.equal(null);
    const sameOrigin = await fetch(`${server.url}/api/auth/login`, { method: 'POST', ...json(credentials, { origin: server.url, 'sec-fetch-site': 'same-origin' }) });
    expect(sameOrigin.status).to.equal(200);
  });

  it('still answers cross-site reads and bodiless same-origin writes (logout)', async () => {
    const read = await fetch(`${server.url}/api/contacts`, { headers: { cookie: staff.cookie!, 'sec-fetch-site': 'cross-site' } });
    expect(read.status).to.equal(200);
    const { client } = await clientAs(server, 'staff');
    const logout = await send('/api/auth/logout', { headers: { origin: server.url } }, client);
    expect(logout.status).to.equal(200);
  });
});
