import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../server/lib/ferretdb.js';
import { serverBundleFile } from '../../scripts/build.js';

/** The real start command on the embedded database, as `npm start` runs it. */
async function startApp(dataDir: string, port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'off', LOG_LEVEL: 'warn' };
  delete env.MONGODB_URI;
  const child = spawn(process.execPath, [serverBundleFile('main')], { env, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
    if (health?.status === 200) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('the app did not answer /api/health within 60 s');
}

function ferretdbPids(dataDir: string): number[] {
  const found = spawnSync('pgrep', ['-f', `ferretdb.*--sqlite-url=file:${dataDir}`], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('the app process on its embedded database', function () {
  this.timeout(120_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-proc-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts FerretDB, serves health, and leaves no FerretDB process behind after SIGTERM', async () => {
    const app = await startApp(dataDir, await findFreePort());
    expect(ferretdbPids(dataDir)).to.have.length.greaterThan(0);
    const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
    app.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(await waitUntil(() => ferretdbPids(dataDir).length === 0, 5000)).to.equal(true);
  });

  it('stops FerretDB even when the app is killed with SIGKILL', async () => {
    const app = await startApp(dataDir, await findFreePort());
    expect(ferretdbPids(dataDir)).to.have.length.greaterThan(0);
    app.kill('SIGKILL');
    expect(await waitUntil(() => ferretdbPids(dataDir).length === 0, 10_000)).to.equal(true);
  });
});
