import { expect } from 'chai';
import { ObjectId, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { readdirSync } from 'node:fs';
import { createLogger } from '../../server/lib/logger.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../server/ops/migrations/index.js';
import { MIGRATIONS_COLLECTION, migrationId, runMigrations, schemaState, SchemaTooNewError } from '../../server/ops/migration.service.js';
import { hashPassword } from '../../server/users/user.service.js';
import { Client, resetDatabase, TEST_PASSWORD } from '../helpers.js';
import { baseEnv, startProcess } from './processes.js';

const logger = createLogger('silent');
const databases: Db[] = [];
function freshDatabase(label: string): Db {
  const db = mongoose.connection.getClient().db(`maillage_mig_${label}_${process.pid}`);
  databases.push(db);
  return db;
}
const uriOf = (db: Db) => process.env.TEST_MONGODB_URI!.replace(/\/[^/?]*(\?|$)/, `/${db.databaseName}$1`);

/** Marks documents in batches of 10, failing after the first batch while `crash.armed`. */
function batchedMigration(version: number, crash: { armed: boolean }): Migration {
  return {
    version,
    name: 'mark-items',
    async up(db) {
      const items = db.collection('items');
      for (;;) {
        const batch = await items.find({ marked: { $exists: false } }).limit(10).toArray();
        if (batch.length === 0) return;
        await items.updateMany({ _id: { $in: batch.map((doc) => doc._id) } }, { $set: { marked: true }, $inc: { passes: 1 } });
        if (crash.armed) throw new Error('power cut');
      }
    },
  };
}

describe('data migrations', () => {
  before(resetDatabase);
  after(async () => {
    for (const db of databases) await db.dropDatabase().catch(() => undefined);
  });

  it('lists one file per migration, numbered like its version, in order', () => {
    const files = readdirSync(new URL('../../server/ops/migrations/', import.meta.url)).filter((name) => /^\d{3}-.+\.ts$/.test(name)).sort();
    expect(files).to.deep.equal(MIGRATIONS.map((migration) => `${migrationId(migration)}.ts`));
    expect(SCHEMA_VERSION).to.equal(MIGRATIONS.at(-1)!.version);
  });

  it('runs pending migrations in order, records each, and does nothing the second time', async () => {
    const db = freshDatabase('order');
    const order: number[] = [];
    const migrations = [3, 1, 2].map((version) => ({ version, name: `m${version}`, up: async () => void order.push(version) }));
    expect(await runMigrations(db, logger, migrations)).to.deep.equal(['001-m1', '002-m2', '003-m3']);
    expect(order).to.deep.equal([1, 2, 3]);
    const records = await db.collection(MIGRATIONS_COLLECTION).find().sort({ version: 1 }).toArray();
    expect(records.map((r) => [r._id, r.version])).to.deep.equal([['001-m1', 1], ['002-m2', 2], ['003-m3', 3]]);
    expect(records[0].finishedAt).to.be.instanceOf(Date);
    expect(await runMigrations(db, logger, migrations)).to.deep.equal([]);
    expect(order).to.deep.equal([1, 2, 3]);
  });

  it('finishes a migration that crashed mid-way when run again, touching each document once', async () => {
    const db = freshDatabase('crash');
    await db.collection('items').insertMany(Array.from({ length: 35 }, (_, n) => ({ n })));
    const crash = { armed: true };
    const migration = batchedMigration(1, crash);
    let failure: unknown;
    await runMigrations(db, logger, [migration]).catch((error: unknown) => (failure = error));
    expect((failure as Error).message).to.equal('power cut');
    expect(await db.collection('items').countDocuments({ marked: true })).to.equal(10);
    expect((await schemaState(db, [migration])).pending).to.have.length(1);

    crash.armed = false;
    expect(await runMigrations(db, logger, [migration])).to.deep.equal(['001-mark-items']);
    expect(await db.collection('items').countDocuments({ marked: true, passes: 1 })).to.equal(35);
  });

  it('takes over the lock of a process that died while migrating', async () => {
    const db = freshDatabase('stale');
    await db.collection<{ _id: string; owner: string; at: Date }>('schema_lock').insertOne({ _id: 'migrations', owner: 'dead-host-1', at: new Date(Date.now() - 60_000) });
    const migration = { version: 1, name: 'after-crash', up: async () => undefined };
    expect(await runMigrations(db, logger, [migration])).to.deep.equal(['001-after-crash']);
    expect(await db.collection('schema_lock').countDocuments()).to.equal(0);
  });

  it('runs a migration once when several processes start together', async () => {
    const db = freshDatabase('together');
    const migration: Migration = {
      version: 1,
      name: 'count-runs',
      async up(target) {
        await target.collection('runs').insertOne({ at: new Date() });
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    };
    const results = await Promise.all([1, 2, 3].map(() => runMigrations(db, logger, [migration])));
    expect(results.flat()).to.deep.equal(['001-count-runs']);
    expect(await db.collection('runs').countDocuments()).to.equal(1);
  });

  it('refuses a database migrated by a newer version of the app', async () => {
    const db = freshDatabase('newer');
    await db.collection<{ _id: string; version: number; name: string }>(MIGRATIONS_COLLECTION).insertOne({ _id: '999-future', version: 999, name: 'future' });
    let refused: unknown;
    await runMigrations(db, logger).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(SchemaTooNewError);
    expect((refused as Error).message).to.match(/schéma 999, plus récent que celui de cette version de Maillage \(schéma \d+\)/);
  });

  describe('at start-up of the real app', function () {
    this.timeout(120_000);
    let db: Db;
    const oldUserId = new ObjectId();
    const oldContactId = new ObjectId();

    before(async () => {
      db = freshDatabase('startup');
      // The shapes an earlier version wrote: no `active` flag, a padded upper-case e-mail, a contact without list fields.
      await db.collection('users').insertOne({ _id: oldUserId, email: ' Ancienne.Equipe@FTS.test', name: 'Ancienne', role: 'staff', passwordHash: await hashPassword(TEST_PASSWORD) });
      await db.collection('contacts').insertOne({ _id: oldContactId, email: 'ancien.contact@fts.test', firstName: 'Jeanne', lastName: 'Ancien', notes: '' });
    });

    it('migrates an old-shaped document set when the app starts, and a second start does nothing', async () => {
      const first = await startProcess('server/main.ts', baseEnv(uriOf(db), { JOBS: 'off' }));
      try {
        const client = new Client(first.url!);
        const login = await client.post('/api/auth/login', { email: 'ancienne.equipe@fts.test', password: TEST_PASSWORD });
        expect(login.status).to.equal(200);
        // a contact without list fields reads with empty ones (stored as it was: imports store contacts so too)
        const contact = (await client.get(`/api/contacts/${oldContactId}`)).body;
        for (const field of ['emails', 'phones', 'organisations', 'dispositifs', 'themes', 'territories']) expect(contact[field], field).to.deep.equal([]);
      } finally {
        await first.stop();
      }
      expect(first.output()).to.match(/"migration":"001-user-accounts","ms":\d+,"msg":"migration done"/);
      const user = await db.collection('users').findOne({ _id: oldUserId });
      expect(user).to.include({ email: 'ancienne.equipe@fts.test', active: true });
      const recorded = await db.collection(MIGRATIONS_COLLECTION).find().sort({ version: 1 }).toArray();
      expect(recorded.map((r) => r._id)).to.deep.equal(MIGRATIONS.map(migrationId));

      const second = await startProcess('server/main.ts', baseEnv(uriOf(db), { JOBS: 'off' }));
      await second.stop();
      expect(second.output()).not.to.include('migration started');
      const again = await db.collection(MIGRATIONS_COLLECTION).find().sort({ version: 1 }).toArray();
      expect(again.map((r) => r.finishedAt.getTime())).to.deep.equal(recorded.map((r) => r.finishedAt.getTime()));
    });

    it('refuses to start on a database whose schema is newer than the app', async () => {
      await db.collection<{ _id: string; version: number; name: string }>(MIGRATIONS_COLLECTION).insertOne({ _id: '999-future', version: 999, name: 'future' });
      let failure: { code?: number; output?: string } = {};
      await startProcess('server/main.ts', baseEnv(uriOf(db), { JOBS: 'off' })).catch((error: typeof failure) => (failure = error));
      expect(failure.code).to.equal(1);
      expect(failure.output).to.include('plus récent que celui de cette version de Maillage');
    });
  });
});
