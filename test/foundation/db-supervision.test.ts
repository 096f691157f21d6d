import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../server/lib/embedded-db.js';
import { ensureFerretdbBinary, findFreePort, startFerretdb, type RunningFerretdb } from '../../server/lib/ferretdb.js';
import { createLogger } from '../../server/lib/logger.js';
import { Client, startTestServer, type TestServer } from '../helpers.js';
import { uploadForm, waitForImport } from '../imports/import-helpers.js';
import { serverBundleFile } from '../../scripts/build.js';

/** The real start command, as `npm start` runs it (embedded database unless `env` names one). */
async function startApp(dataDir: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'off', LOG_LEVEL: 'warn', ...env };
  if (!env.MONGODB_URI) delete childEnv.MONGODB_URI;
  const child = spawn(process.execPath, [serverBundleFile('main')], { env: childEnv, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await status(`http://127.0.0.1:${port}/api/health/ready`)) === 200) return child;
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new Error('the app was not ready within 60 s');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const status = async (url: string) => (await fetch(url).catch(() => undefined))?.status;
const ferretdbPids = (dataDir: string) =>
  spawnSync('pgrep', ['-f', `^\\S*ferretdb-v\\S* .*--sqlite-url=file:${dataDir}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);

async function stopApp(app: ChildProcess): Promise<void> {
  if (app.exitCode !== null) return;
  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  await exited;
}

/** Polls readiness every 100 ms: when it answered 200 again, and what it said meanwhile. */
async function waitUntilReady(base: string, timeoutMs: number) {
  const started = Date.now();
  const seen: { status: number; db?: string; ms: number }[] = [];
  while (Date.now() - started < timeoutMs) {
    const t = Date.now();
    const reply = await fetch(`${base}/api/health/ready`).catch(() => undefined);
    const body = reply ? ((await reply.json().catch(() => ({}))) as { db?: string }) : {};
    seen.push({ status: reply?.status ?? 0, db: body.db, ms: Date.now() - t });
    if (reply?.status === 200) return { recoveredMs: Date.now() - started, seen };
    await sleep(100);
  }
  return { recoveredMs: undefined, seen };
}

describe('the embedded database: private, supervised', function () {
  this.timeout(120_000);
  let dataDir: string;
  let app: ChildProcess | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-sup-'));
  });
  afterEach(async () => {
    if (app) await stopApp(app);
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on a Unix socket in a 0700 folder of DATA_DIR, on no TCP port', async () => {
    app = await startApp(dataDir, await findFreePort());
    const dir = path.join(dataDir, 'db');
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    const sockets = readdirSync(dir).filter((name) => /^ferretdb-\d+\.sock$/.test(name));
    expect(sockets).to.deep.equal([`ferretdb-${app.pid}.sock`]);
    expect(statSync(path.join(dir, sockets[0])).isSocket()).to.equal(true);
    const [pid] = ferretdbPids(dataDir);
    expect(pid, 'FerretDB runs').to.be.a('number');
    const listening = spawnSync('ss', ['-H', '-ltnp'], { encoding: 'utf8' }).stdout;
    expect(listening.split('\n').filter((line) => line.includes(`pid=${pid},`)), 'TCP listeners of FerretDB').to.deep.equal([]);
  });

  it('restarts FerretDB after a kill -9 and serves again within seconds, jobs included; readiness says so meanwhile', async () => {
    const port = await findFreePort();
    const admin = { email: 'admin@robustesse.test', password: 'Robustesse-Base-2026!' };
    app = await startApp(dataDir, port, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password });
    const base = `http://127.0.0.1:${port}`;
    const [pid] = ferretdbPids(dataDir);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    const { recoveredMs, seen } = await waitUntilReady(base, 30_000);
    console.log(`      recovery after kill -9: ${recoveredMs} ms (${seen.length} probes)`);
    expect(recoveredMs, 'ready again').to.be.a('number');
    expect(recoveredMs!).to.be.below(10_000);
    // (what readiness says while it is down: the supervisor tests below, with a slower restart)
    expect(seen.filter((probe) => probe.status !== 200).every((probe) => probe.status === 503 && ['restarting', 'down'].includes(probe.db!))).to.equal(true);
    expect(Math.max(...seen.map((probe) => probe.ms)), 'each probe answered quickly').to.be.below(3000);

    expect(await status(`${base}/api/health/live`)).to.equal(200);
    expect(await status(`${base}/abonnement`), 'a page reading the database').to.equal(200);
    expect(await status(`${base}/api/health`)).to.equal(200);
    const pids = ferretdbPids(dataDir);
    expect(pids).to.have.length(1);
    expect(pids[0]).to.not.equal(pid);
    expect(Date.now() - killedAt).to.be.below(15_000);

    // a staff member carries on: logs in, imports a file, its commit job runs
    const client = new Client(base);
    const login = await client.post('/api/auth/login', admin);
    expect(login.status, login.text).to.equal(200);
    const upload = await client.post('/api/imports', uploadForm('apres-coupure.csv', 'Courriel;Nom\r\nlea@exemple.fr;Martin\r\n'));
    expect(upload.status, upload.text).to.equal(201);
    expect((await client.post(`/api/imports/${upload.body.id}/commit`)).status).to.equal(202);
    expect((await waitForImport(client, upload.body.id)).counts.created).to.equal(1);
  });

  it('on an external MONGODB_URI, relies on the driver: readiness fails while it is down and comes back with it', async () => {
    const dbDir = path.join(dataDir, 'external');
    const dbPort = await findFreePort();
    let external: RunningFerretdb | undefined = await startFerretdb({ storage: { kind: 'sqlite', dir: dbDir }, listen: { port: dbPort } });
    try {
      const port = await findFreePort();
      app = await startApp(dataDir, port, { MONGODB_URI: external.uri });
      const base = `http://127.0.0.1:${port}`;
      await external.stop();
      const down = await fetch(`${base}/api/health/ready`);
      expect(down.status).to.equal(503);
      expect(await down.json()).to.include({ db: 'down' });
      expect(await status(`${base}/api/health/live`), 'not the app’s fault: no restart').to.equal(200);
      const session = await fetch(`${base}/api/contacts`, { headers: { cookie: 'maillage_session=une-session' } });
      expect(session.status, 'a request needing the database').to.equal(503);
      expect(((await session.json()) as { error: unknown }).error).to.deep.equal({
        code: 'db_unavailable',
        message: 'La base de données ne répond pas pour le moment : réessayez dans quelques instants.',
      });

      external = await startFerretdb({ storage: { kind: 'sqlite', dir: dbDir }, listen: { port: dbPort } });
      const { recoveredMs } = await waitUntilReady(base, 30_000);
      expect(recoveredMs, 'ready again once the database is back').to.be.a('number');
    } finally {
      await external?.stop();
    }
  });
});

describe('the embedded database supervisor, with a FerretDB slow or unable to come back', function () {
  this.timeout(60_000);
  let dir: string;
  let db: EmbeddedDatabase | undefined;
  let server: TestServer | undefined;
  /** `slow`: FerretDB takes 2 s more to start; `broken`: it does not start. */
  const flag = (name: 'slow' | 'broken') => path.join(dir, name);
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-sup-fail-'));
    const wrapper = path.join(dir, 'ferretdb-wrapper');
    writeFileSync(wrapper, `#!/bin/sh\n[ -e '${flag('broken')}' ] && exit 1\n[ -e '${flag('slow')}' ] && sleep 2\nexec '${await ensureFerretdbBinary()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    db = await startEmbeddedDatabase({ dataDir: dir, logger: createLogger('silent'), binary: wrapper, delaysMs: [50, 100, 200] });
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says "restarting" on /api/health/ready while FerretDB comes back, then "up" again', async () => {
    expect(db!.state()).to.equal('up');
    writeFileSync(flag('slow'), '');
    process.kill(ferretdbPids(dir)[0], 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (db!.state() !== 'restarting' && Date.now() < deadline) await sleep(20);
    const ready = await fetch(`${server!.url}/api/health/ready`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.deep.equal({ status: 'not_ready', db: 'restarting', migrations: 'unknown', jobs: 'unknown' });
    expect(await status(`${server!.url}/api/health/live`), 'alive while it restarts').to.equal(200);
    while (db!.state() !== 'up' && Date.now() < deadline + 10_000) await sleep(50);
    expect(db!.state()).to.equal('up');
    expect(db!.restarts()).to.equal(1);
    rmSync(flag('slow'));
  });

  it('gives up after its last delay: /api/health/live then fails', async () => {
    expect(db!.state()).to.equal('up');
    expect(await status(`${server!.url}/api/health/live`)).to.equal(200);

    writeFileSync(flag('broken'), '');
    process.kill(ferretdbPids(dir)[0], 'SIGKILL');
    const deadline = Date.now() + 20_000;
    while (db!.state() !== 'failed' && Date.now() < deadline) await sleep(50);
    expect(db!.state()).to.equal('failed');
    expect(db!.restarts(), 'none since the slow one').to.equal(1);
    const live = await fetch(`${server!.url}/api/health/live`);
    expect(live.status).to.equal(503);
    expect(await live.json()).to.deep.equal({ status: 'failed', db: 'failed' });
    const ready = await fetch(`${server!.url}/api/health/ready`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.include({ db: 'failed' });
  });
});
