import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAdminBuild } from '../scripts/admin-build.js';
import { bundleServer } from '../scripts/build.js';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase, prepareModels } from '../server/lib/db.js';
import { startFerretdb, type RunningFerretdb } from '../server/lib/ferretdb.js';
import { stopPrivatePostgres } from './ops/postgres.js';

/**
 * One real database server for the whole run, started once by the global setup: a fresh
 * FerretDB (SQLite) in a temporary folder, or the server named by MONGODB_URI (CI's second
 * pass, on PostgreSQL). Test files run in parallel worker processes (.mocharc.json): each
 * worker has a database and a DATA_DIR of its own on that server, and each test file starts
 * from a clean database with `resetDatabase()` (test/helpers.ts).
 */
let ferretdb: RunningFerretdb | undefined;
let runDir: string | undefined;

export async function mochaGlobalSetup(this: unknown) {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-test-'));
  process.env.TEST_RUN_DIR = runDir; // inherited by the workers, forked after this setup
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    ferretdb = await startFerretdb({ storage: { kind: 'sqlite', dir: path.join(runDir, 'ferretdb') }, database: 'maillage_test', log: console.log });
    uri = ferretdb.uri;
  }
  process.env.TEST_SERVER_URI = uri;
  ensureAdminBuild(); // here, once: workers building admin/dist side by side would clobber it
  await Promise.all([bundleServer('main'), bundleServer('worker')]); // the app and worker tests spawn, as `npm start` runs them
}

export async function mochaGlobalTeardown() {
  await ferretdb?.stop();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}

/** This process's database name: one per worker, so two files never reset each other's data. */
const databaseName = () => `maillage_test_${process.env.MOCHA_WORKER_ID ?? 'main'}`;
function withDatabase(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

let connected = false;

/** Models whose collections and indexes exist in this process's database. */
const prepared = new Set<string>();

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    if (connected) {
      // A later file of this worker may load models the first one did not: their unique indexes matter.
      const fresh = Object.values(mongoose.models).filter((model) => !prepared.has(model.modelName));
      await prepareModels(fresh);
      fresh.forEach((model) => prepared.add(model.modelName));
      return;
    }
    const workerDir = path.join(process.env.TEST_RUN_DIR!, `worker-${process.env.MOCHA_WORKER_ID ?? 'main'}`);
    process.env.TEST_DATA_DIR = mkdtempSync(`${workerDir}-data-`); // the app's DATA_DIR (imports, secrets)
    process.env.TEST_MONGODB_URI = withDatabase(process.env.TEST_SERVER_URI!, databaseName());
    await connectDatabase(process.env.TEST_MONGODB_URI);
    Object.keys(mongoose.models).forEach((name) => prepared.add(name));
    connected = true;
  },
  // In parallel mode root hooks run around each file: the connection stays for the worker's
  // next file; the private PostgreSQL of the multi-instance tests is stopped with its file.
  async afterAll() {
    await stopPrivatePostgres();
    if (!process.env.MOCHA_WORKER_ID) {
      await disconnectDatabase();
      connected = false;
    }
  },
};
