import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import { OPS_TICK, OPS_TICKS_COLLECTION } from '../../jobs/ops-tick.job.js';
import { hashPassword } from '../../server/users/user.service.js';
import { Client, resetDatabase, TEST_PASSWORD } from '../helpers.js';
import { startFerretdbOnPostgres, type PostgresFerretdb } from './postgres.js';
import { baseEnv, startProcess, type AppProcess } from './processes.js';

const TICK_SECONDS = 10;
const STAFF = { email: 'multi.instance@fts.test', name: 'Héloïse Multiprocess' };

/**
 * Two app processes and one worker, real `node` processes, on one FerretDB-over-PostgreSQL
 * database. Every process runs the scheduler (JOBS=on: the worst case; in production the apps
 * run with JOBS=off beside the worker), with a test-only job due every 10 seconds.
 */
describe('several instances on one FerretDB-over-PostgreSQL database', function () {
  this.timeout(180_000);
  let ferretdb: PostgresFerretdb;
  let client: MongoClient;
  let db: Db;
  let appA: AppProcess;
  let appB: AppProcess;
  let worker: AppProcess;
  let readyAt = 0;

  before(async () => {
    await resetDatabase();
    ferretdb = await startFerretdbOnPostgres('multi');
    client = await MongoClient.connect(ferretdb.uri);
    db = client.db();
    await db.collection('users').insertOne({
      email: STAFF.email,
      name: STAFF.name,
      role: 'staff',
      active: true,
      passwordHash: await hashPassword(TEST_PASSWORD),
    });
    const env = baseEnv(ferretdb.uri, { JOBS: 'on', MAILLAGE_TEST_TICK_CRON: `*/${TICK_SECONDS} * * * * *` });
    const heartbeatOf = async (pid: number) => Boolean(await db.collection('heartbeats').findOne({ pid }));
    const started = await Promise.allSettled([
      startProcess('server/main.ts', env),
      startProcess('server/main.ts', env),
      startProcess('server/worker.ts', env, { ready: heartbeatOf }),
    ]);
    // the ones that started are stopped by `after` even when another did not start
    [appA, appB, worker] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined!));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    readyAt = Date.now();
  });
  after(async () => {
    await Promise.all([appA, appB, worker].map((proc) => proc?.stop()));
    await client?.close();
    await ferretdb?.drop();
  });

  it('both apps are ready against the one database', async () => {
    for (const app of [appA, appB]) {
      const ready = await new Client(app.url!).get('/api/health/ready');
      expect(ready.status, app.url).to.equal(200);
      expect(ready.body).to.include({ db: 'ok', migrations: 'ok', jobs: 'ok' });
    }
  });

  it('a session opened on one app works on the other, and a logout on the other ends it', async () => {
    const onA = new Client(appA.url!);
    const forwarded = { 'x-forwarded-for': '203.0.113.10' };
    expect((await onA.post('/api/auth/login', { email: STAFF.email, password: TEST_PASSWORD }, forwarded)).status).to.equal(200);
    const onB = new Client(appB.url!);
    onB.cookie = onA.cookie;
    const me = await onB.get('/api/auth/me');
    expect(me.status).to.equal(200);
    expect(me.body.user.email).to.equal(STAFF.email);
    expect((await onB.post('/api/auth/logout')).status).to.equal(200);
    expect((await onA.get('/api/auth/me')).status).to.equal(401);
  });

  it('the login rate limit counts attempts made on both apps together', async () => {
    // Behind the reverse proxy both apps see the client address in X-Forwarded-For.
    const forwarded = { 'x-forwarded-for': '203.0.113.77' };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const app = attempt % 2 === 0 ? appA : appB;
      // Another account each time: the per-account throttle (auth.test.ts) stays out of this.
      statuses.push((await new Client(app.url!).post('/api/auth/login', { email: `personne-${attempt}@fts.test`, password: 'mauvais' }, forwarded)).status);
    }
    expect(statuses).to.deep.equal(Array(10).fill(401));
    for (const app of [appA, appB]) {
      const blocked = await new Client(app.url!).post('/api/auth/login', { email: STAFF.email, password: TEST_PASSWORD }, forwarded);
      expect(blocked.status, app.url).to.equal(429);
    }
    const otherClient = await new Client(appB.url!).post('/api/auth/login', { email: STAFF.email, password: TEST_PASSWORD }, { 'x-forwarded-for': '203.0.113.78' });
    expect(otherClient.status).to.equal(200);
  });

  it('the login rate limit lets no more than 10 through when both apps are hit at the same moment', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.99' };
    const attempts = Array.from({ length: 16 }, (_, i) =>
      new Client((i % 2 ? appA : appB).url!).post('/api/auth/login', { email: `simultane-${i}@fts.test`, password: 'mauvais' }, forwarded),
    );
    const statuses = (await Promise.all(attempts)).map((reply) => reply.status);
    // Simultaneous hits may all see each other (then all are refused); never more than 10 get through.
    expect(statuses.filter((status) => status === 401).length).to.be.at.most(10);
    expect(statuses.filter((status) => status === 429).length).to.be.at.least(6);
    expect(statuses.every((status) => status === 401 || status === 429)).to.equal(true);
  });

  it('an import uploaded and committed on one app is run by the worker and followed on the other app', async () => {
    const onA = new Client(appA.url!);
    expect((await onA.post('/api/auth/login', { email: STAFF.email, password: TEST_PASSWORD }, { 'x-forwarded-for': '203.0.113.20' })).status).to.equal(200);
    const csv = 'Prénom;Nom;Adresse e-mail\nAïcha;Benali;aicha.benali@ville.test\nMarc;Olivier;marc.olivier@ville.test\n';
    const form = new FormData();
    form.append('file', new Blob([csv]), 'contacts.csv');
    const upload = await onA.post('/api/imports', form);
    expect(upload.status, upload.text).to.equal(201);
    expect((await onA.post(`/api/imports/${upload.body.id}/commit`)).status).to.equal(202);
    const onB = new Client(appB.url!);
    onB.cookie = onA.cookie;
    let progress: { status?: string; counts?: Record<string, number> } = {};
    for (let i = 0; i < 300 && !['done', 'failed'].includes(progress.status ?? ''); i++) {
      progress = (await onB.get(`/api/imports/${upload.body.id}`)).body;
      if (progress.status !== 'done') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(progress.status).to.equal('done');
    expect(progress.counts).to.include({ rows: 2, created: 2, errors: 0 });
    expect(await db.collection('contacts').countDocuments({ email: { $in: ['aicha.benali@ville.test', 'marc.olivier@ville.test'] } })).to.equal(2);
  });

  it(`a job scheduled every ${TICK_SECONDS} s runs once per period, whichever process takes it`, async () => {
    // From the very first run, while the processes were still starting and scheduling it.
    const period = TICK_SECONDS * 1000;
    const firstTick = await db.collection(OPS_TICKS_COLLECTION).find().sort({ lastRunAt: 1 }).limit(1).next();
    const first = firstTick ? Math.floor(firstTick.lastRunAt.getTime() / period) : Math.ceil(readyAt / period);
    const wanted = 3;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (first + wanted) * period + 3000 - Date.now())));
    expect(await db.collection('jobs').countDocuments({ name: OPS_TICK })).to.equal(1);
    const ticks = await db.collection(OPS_TICKS_COLLECTION).find({ lastRunAt: { $gte: new Date(first * period) } }).sort({ at: 1 }).toArray();
    const periods = ticks.map((tick) => Math.floor(tick.lastRunAt.getTime() / period) - first);
    expect(periods, 'one run in each period, none twice, none skipped').to.deep.equal(Array.from({ length: periods.length }, (_, i) => i));
    expect(periods.length).to.be.at.least(wanted);
    for (const tick of ticks) expect([appA.child.pid, appB.child.pid, worker.child.pid]).to.include(tick.pid);
  });

  it('logs requests with an id and no e-mail or name at info level', () => {
    const logs = appA.output() + appB.output() + worker.output();
    expect(logs).to.match(/"req":\{"id":"[^"]+","method":"POST","url":"\/api\/auth\/login"\}/);
    expect(logs.toLowerCase()).not.to.include(STAFF.email);
    expect(logs).not.to.include('Héloïse').and.not.to.include('Multiprocess');
    expect(logs).not.to.include('aicha.benali').and.not.to.include('Benali');
    expect(logs).not.to.include(TEST_PASSWORD);
  });
});
