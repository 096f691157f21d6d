import { expect } from 'chai';
import { Client, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('GET /api/health', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer({ jobs: true });
  });
  after(() => server.close());

  it('reports the database and the scheduler as ok, without login', async () => {
    const reply = await new Client(server.url).get('/api/health');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ status: 'ok', db: 'ok', jobs: 'ok' });
  });

  it('answers an unknown API path with a French JSON 404', async () => {
    const reply = await new Client(server.url).get('/api/nulle-part');
    expect(reply.status).to.equal(404);
    expect(reply.body.error.code).to.equal('not_found');
  });

  it('sets security headers', async () => {
    const reply = await new Client(server.url).get('/api/health');
    expect(reply.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(reply.headers.get('content-security-policy')).to.include("default-src 'self'");
    // the previews of a message show its images by URL (https only)
    expect(reply.headers.get('content-security-policy')).to.include("img-src 'self' data: https:;");
    expect(reply.headers.get('x-request-id')).to.be.a('string');
  });

  it('refuses a JSON body over 1 MB with 413', async () => {
    const reply = await new Client(server.url).post('/api/auth/login', { email: 'x'.repeat(1_100_000), password: 'x' });
    expect(reply.status).to.equal(413);
  });
});
