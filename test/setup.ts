import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase, disconnectDatabase } from '../server/lib/db.js';
import { startFerretdb, type RunningFerretdb } from '../server/lib/ferretdb.js';
import { stopPrivatePostgres } from './ops/postgres.js';

/**
 * Root hooks: one real database server for the whole run — a fresh FerretDB (SQLite) in a
 * temporary folder, or the server named by MONGODB_URI (CI's second pass, on PostgreSQL).
 * Each test file starts from a clean database with `resetDatabase()` (test/helpers.ts).
 */
let ferretdb: RunningFerretdb | undefined;
let dataDir: string | undefined;
/** The app's DATA_DIR for this run (imports, secrets): fresh, removed at the end, never shared between runs. */
const appDataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-test-data-'));
process.env.TEST_DATA_DIR = appDataDir;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000); // the first run builds FerretDB
    let uri = process.env.MONGODB_URI;
    if (!uri) {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-test-'));
      ferretdb = await startFerretdb({ storage: { kind: 'sqlite', dir: dataDir }, database: 'maillage_test', log: console.log });
      uri = ferretdb.uri;
    }
    process.env.TEST_MONGODB_URI = uri;
    await connectDatabase(uri);
  },
  async afterAll() {
    await disconnectDatabase();
    await ferretdb?.stop();
    await stopPrivatePostgres();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(appDataDir, { recursive: true, force: true });
  },
};
