import { expect } from 'chai';
import { Client, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('GET / (the address the README prints)', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers a French page leading to the staff interface, the subscription page and the archive', async () => {
    const reply = await new Client(server.url).get('/');
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.include('text/html');
    expect(reply.text).to.include('<html lang="fr">');
    for (const link of ['/admin/', '/abonnement', '/lettres']) expect(reply.text).to.include(`href="${link}"`);
    expect(reply.text).to.include("Espace de l'équipe");
  });
});
