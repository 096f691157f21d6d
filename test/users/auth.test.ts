import { expect } from 'chai';
import { RateCounter } from '../../server/lib/rate-limit.js';
import { Session } from '../../server/users/session.model.js';
import { createUser } from '../../server/users/user.service.js';
import { Client, clientAs, resetDatabase, startTestServer, TEST_PASSWORD, type TestServer } from '../helpers.js';

describe('staff accounts and sessions', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    await createUser({ email: 'claire@fts.test', name: 'Claire', role: 'staff', password: TEST_PASSWORD });
  });
  after(() => server.close());

  it('refuses an unauthenticated GET /api/users with 401', async () => {
    const reply = await new Client(server.url).get('/api/users');
    expect(reply.status).to.equal(401);
    expect(reply.body.error).to.include({ code: 'unauthorized' });
  });

  it('logs in with a HttpOnly, SameSite session cookie and answers /me', async () => {
    const client = new Client(server.url);
    const login = await client.post('/api/auth/login', { email: 'CLAIRE@fts.test ', password: TEST_PASSWORD });
    expect(login.status).to.equal(200);
    expect(login.body.user).to.include({ email: 'claire@fts.test', role: 'staff' });
    expect(login.body.user).not.to.have.property('passwordHash');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).to.match(/HttpOnly/i).and.to.match(/SameSite=Lax/i);
    const me = await client.get('/api/auth/me');
    expect(me.status).to.equal(200);
    expect(me.body.user.email).to.equal('claire@fts.test');
  });

  it('gives the same answer for a wrong password and an unknown e-mail', async () => {
    const wrongPassword = await new Client(server.url).post('/api/auth/login', { email: 'claire@fts.test', password: 'pas le bon' });
    const unknownEmail = await new Client(server.url).post('/api/auth/login', { email: 'personne@fts.test', password: 'pas le bon' });
    expect(wrongPassword.status).to.equal(401);
    expect(unknownEmail.status).to.equal(wrongPassword.status);
    expect(unknownEmail.body).to.deep.equal(wrongPassword.body);
    expect(wrongPassword.body.error.message).to.equal('Adresse e-mail ou mot de passe incorrect.');
  });

  it('ends the session at logout', async () => {
    const client = new Client(server.url);
    await client.post('/api/auth/login', { email: 'claire@fts.test', password: TEST_PASSWORD });
    expect((await client.post('/api/auth/logout')).status).to.equal(200);
    expect((await client.get('/api/auth/me')).status).to.equal(401);
  });

  it('refuses an expired session even before the purge job removed it', async () => {
    const { client } = await clientAs(server, 'staff');
    await Session.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await client.get('/api/auth/me')).status).to.equal(401);
  });

  it("forbids a board member's write with 403 but lets them read", async () => {
    const { client } = await clientAs(server, 'board');
    expect((await client.get('/api/news-categories')).status).to.equal(200);
    const write = await client.post('/api/vocabularies', { kind: 'functions', code: 'test', label: 'Test' });
    expect(write.status).to.equal(403);
    expect(write.body.error.code).to.equal('forbidden');
  });

  it('keeps users to administrators', async () => {
    const staff = (await clientAs(server, 'staff')).client;
    expect((await staff.get('/api/users')).status).to.equal(403);
    const admin = (await clientAs(server, 'admin')).client;
    const created = await admin.post('/api/users', { email: 'nouveau@fts.test', name: 'Nouveau', role: 'board', password: 'assez long mot de passe' });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ email: 'nouveau@fts.test', role: 'board' });
    const list = await admin.get('/api/users?sort=["email","ASC"]&range=[0,9]');
    expect(list.headers.get('content-range')).to.match(/^users 0-\d+\/\d+$/);
    expect(list.body.map((u: { email: string }) => u.email)).to.include('nouveau@fts.test');
  });

  it('names the field of a bad user and writes nothing', async () => {
    const admin = (await clientAs(server, 'admin')).client;
    const reply = await admin.post('/api/users', { email: 'pas-une-adresse', name: 'X', role: 'staff', password: 'assez long mot de passe' });
    expect(reply.status).to.equal(400);
    expect(reply.body.error.field).to.equal('email');
    const operator = await admin.post('/api/users', { email: { $gt: '' }, name: 'X', role: 'staff', password: 'assez long mot de passe' });
    expect(operator.status).to.equal(400);
    expect(operator.body.error.field).to.equal('email');
  });

  it('answers 429 to the 11th login attempt within a minute from one address', async () => {
    await RateCounter.deleteMany({}); // earlier tests of this file logged in too
    const client = new Client(server.url);
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 11; attempt++) {
      statuses.push((await client.post('/api/auth/login', { email: 'claire@fts.test', password: 'faux' })).status);
    }
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(401));
    expect(statuses[10]).to.equal(429);
    const blocked = await client.post('/api/auth/login', { email: 'claire@fts.test', password: TEST_PASSWORD });
    expect(blocked.status).to.equal(429);
    expect(blocked.headers.get('retry-after')).to.match(/^\d+$/);
  });
});
