import { expect } from 'chai';
import { RateCounter } from '../../server/lib/rate-limit.js';
import { passwordProblem } from '../../server/users/password-policy.js';
import { Session } from '../../server/users/session.model.js';
import { User } from '../../server/users/user.model.js';
import { createUser } from '../../server/users/user.service.js';
import { Client, clientAs, newVisitor, resetDatabase, startTestServer, TEST_PASSWORD, type TestServer } from '../helpers.js';

const HOUR = 3600_000;

describe('account security: passwords, sessions, login throttle, last administrator', () => {
  let server: TestServer;
  let admin: Client;
  let adminId: string;
  before(async () => {
    await resetDatabase();
    server = await startTestServer({ env: { SESSION_IDLE_HOURS: '8' } });
    ({ client: admin, user: { id: adminId } } = await clientAs(server, 'admin'));
  });
  after(() => server.close());

  const login = (client: Client, email: string, password: string) => client.post('/api/auth/login', { email, password });

  it('refuses short, common and e-mail-based passwords in French, naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['court', /au moins 12 caractères/],
      ['motdepasse2026!', /plus courants/],
      ['Azerty123456', /plus courants/],
      ['aaaaaaaaaaaaaaaa', /plus courants/],
      ['Nadia.Politique@fts.test', /adresse e-mail/],
      ['nadia.politique-2026', /adresse e-mail/],
    ];
    for (const [password, message] of cases) {
      const reply = await admin.post('/api/users', { email: 'nadia.politique@fts.test', name: 'Nadia', role: 'staff', password });
      expect(reply.status, password).to.equal(400);
      expect(reply.body.error.field, password).to.equal('password');
      expect(reply.body.error.message, password).to.match(message);
    }
    expect(await User.exists({ email: 'nadia.politique@fts.test' })).to.equal(null);
    const accepted = await admin.post('/api/users', { email: 'nadia.politique@fts.test', name: 'Nadia', role: 'staff', password: 'cinq pommes vertes sur la table' });
    expect(accepted.status).to.equal(201);
    expect(passwordProblem('password', 'x@y.fr')).to.match(/12 caractères/);
  });

  it('ends the other sessions of an account when its password changes', async () => {
    await createUser({ email: 'paul.sessions@fts.test', name: 'Paul', role: 'staff', password: TEST_PASSWORD });
    const laptop = new Client(server.url);
    const phone = new Client(server.url);
    expect((await login(laptop, 'paul.sessions@fts.test', TEST_PASSWORD)).status).to.equal(200);
    expect((await login(phone, 'paul.sessions@fts.test', TEST_PASSWORD)).status).to.equal(200);
    const paul = await User.findOne({ email: 'paul.sessions@fts.test' }).lean();
    const changed = await admin.put(`/api/users/${paul!._id}`, { password: 'un tout nouveau mot de passe' });
    expect(changed.status).to.equal(200);
    expect((await laptop.get('/api/auth/me')).status).to.equal(401);
    expect((await phone.get('/api/auth/me')).status).to.equal(401);
    expect((await login(new Client(server.url), 'paul.sessions@fts.test', 'un tout nouveau mot de passe')).status).to.equal(200);
  });

  it("keeps the session of an administrator who changes their own password, and ends their others", async () => {
    await createUser({ email: 'ines.admin@fts.test', name: 'Inès', role: 'admin', password: TEST_PASSWORD });
    const here = new Client(server.url);
    const elsewhere = new Client(server.url);
    await login(here, 'ines.admin@fts.test', TEST_PASSWORD);
    await login(elsewhere, 'ines.admin@fts.test', TEST_PASSWORD);
    const ines = (await here.get('/api/auth/me')).body.user;
    expect((await here.put(`/api/users/${ines.id}`, { password: 'ma nouvelle phrase secrète' })).status).to.equal(200);
    expect((await here.get('/api/auth/me')).status).to.equal(200);
    expect((await elsewhere.get('/api/auth/me')).status).to.equal(401);
  });

  it('ends a session after the idle time, and moves it forward while it is used', async () => {
    const { client, user } = await clientAs(server, 'staff');
    const session = await Session.findOne({ user: user.id });
    expect(session!.idleMs).to.equal(8 * HOUR);
    await Session.updateOne({ _id: session!._id }, { $set: { idleUntil: new Date(Date.now() + HOUR) } }); // 7 h idle
    expect((await client.get('/api/auth/me')).status).to.equal(200);
    const touched = await Session.findById(session!._id).lean();
    expect(touched!.idleUntil.getTime()).to.be.greaterThan(Date.now() + 7.9 * HOUR);
    await Session.updateOne({ _id: session!._id }, { $set: { idleUntil: new Date(Date.now() - 1000) } }); // 8 h idle
    expect((await client.get('/api/auth/me')).status).to.equal(401);
    expect((await client.get('/api/contacts')).status).to.equal(401);
  });

  it('takes SESSION_IDLE_HOURS for the sessions it opens', async () => {
    const short = await startTestServer({ env: { SESSION_IDLE_HOURS: '0.5' } });
    try {
      await createUser({ email: 'idle.court@fts.test', name: 'Court', role: 'staff', password: TEST_PASSWORD });
      expect((await login(new Client(short.url), 'idle.court@fts.test', TEST_PASSWORD)).status).to.equal(200);
      const user = await User.findOne({ email: 'idle.court@fts.test' }).lean();
      expect((await Session.findOne({ user: user!._id }).lean())!.idleMs).to.equal(HOUR / 2);
    } finally {
      await short.close();
    }
  });

  it('throttles one account after 10 failures from many addresses, whether it exists or not, alike', async () => {
    await RateCounter.deleteMany({});
    await createUser({ email: 'cible@fts.test', name: 'Cible', role: 'staff', password: TEST_PASSWORD });
    for (const email of ['cible@fts.test', 'inconnu@fts.test']) {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await login(newVisitor(server), email, 'mauvais mot de passe')).status);
      expect(statuses, email).to.deep.equal(Array(10).fill(401));
      const blocked = await login(newVisitor(server), email, email === 'cible@fts.test' ? TEST_PASSWORD : 'mauvais mot de passe');
      expect(blocked.status, email).to.equal(429);
      expect(blocked.body.error.message).to.match(/Réessayez dans \d+ minutes/);
      expect(blocked.headers.get('retry-after')).to.match(/^\d+$/);
    }
    // Another account from the same addresses is not affected.
    await createUser({ email: 'voisin@fts.test', name: 'Voisin', role: 'staff', password: TEST_PASSWORD });
    expect((await login(newVisitor(server), 'voisin@fts.test', TEST_PASSWORD)).status).to.equal(200);
  });

  it('a successful login clears the account’s failures', async () => {
    await RateCounter.deleteMany({});
    await createUser({ email: 'distrait@fts.test', name: 'Distrait', role: 'staff', password: TEST_PASSWORD });
    for (let i = 0; i < 9; i++) await login(newVisitor(server), 'distrait@fts.test', 'oups');
    expect((await login(newVisitor(server), 'distrait@fts.test', TEST_PASSWORD)).status).to.equal(200);
    for (let i = 0; i < 9; i++) expect((await login(newVisitor(server), 'distrait@fts.test', 'oups')).status).to.equal(401);
  });

  it('refuses to demote, deactivate or delete the last active administrator', async () => {
    await User.deleteMany({ role: 'admin', _id: { $ne: adminId } });
    for (const change of [{ role: 'staff' }, { active: false }]) {
      const reply = await admin.put(`/api/users/${adminId}`, change);
      expect(reply.status, JSON.stringify(change)).to.equal(409);
      expect(reply.body.error.message).to.match(/dernier compte administrateur/);
    }
    expect((await admin.delete(`/api/users/${adminId}`)).status).to.equal(409);
    expect(await User.exists({ _id: adminId, role: 'admin', active: true })).not.to.equal(null);
    // With a second administrator, the first may step down.
    await createUser({ email: 'relais.admin@fts.test', name: 'Relais', role: 'admin', password: TEST_PASSWORD });
    expect((await admin.put(`/api/users/${adminId}`, { role: 'staff' })).status).to.equal(200);
  });
});
