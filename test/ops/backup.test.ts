import { expect } from 'chai';
import { BSON, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backupDatabase, collectionNames, rotateBackup } from '../../server/ops/backup.service.js';
import { ArchiveError, DatabaseNotEmptyError, restoreDatabase, verifyArchive } from '../../server/ops/restore.service.js';
import { resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { fillEveryKindOfRecord } from './fill.js';

const run = promisify(execFile);

/** Every document of a collection, in _id order, with its exact BSON types (Int32, Double, Long...). */
async function dump(db: Db, name: string) {
  const docs = await db.collection(name).find({}, { promoteValues: false, bsonRegExp: true }).sort({ _id: 1 }).toArray();
  return docs.map((doc) => BSON.EJSON.serialize(doc, { relaxed: false }));
}

async function indexesOf(db: Db, name: string) {
  return (await db.collection(name).indexes()).map((index) => ({ name: index.name, key: index.key, unique: Boolean(index.unique) })).sort((a, b) => a.name!.localeCompare(b.name!));
}

async function documentCount(db: Db): Promise<number> {
  let total = 0;
  for (const name of await collectionNames(db)) total += await db.collection(name).countDocuments({});
  return total;
}

/** Rewrites the archive's decompressed lines and compresses them again (a well-formed gzip). */
function rewrite(source: string, target: string, edit: (lines: string[]) => string[]): void {
  const lines = gunzipSync(readFileSync(source)).toString('utf8').split('\n');
  writeFileSync(target, gzipSync(edit(lines).join('\n')));
}

describe('backup and restore', () => {
  let server: TestServer;
  let dir: string;
  let archive: string;
  let collections: string[];
  const targets: Db[] = [];
  const freshDatabase = (label: string) => {
    const db = mongoose.connection.getClient().db(`maillage_ops_${label}_${process.pid}`);
    targets.push(db);
    return db;
  };

  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-backup-test-'));
    archive = path.join(dir, 'complete.ejson.gz');
    collections = await fillEveryKindOfRecord(server);
  });
  after(async () => {
    await server.close();
    for (const db of targets) await db.dropDatabase().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores every collection into an empty database, every document field by field, dates and ids included', async () => {
    const source = mongoose.connection.db!;
    const manifest = await backupDatabase(source, archive);
    expect(Object.keys(manifest.collections).sort()).to.deep.equal([...collections].sort());
    for (const name of ['contacts', 'subscriptions', 'users', 'sessions', 'jobs', 'rate_counters', 'schema_migrations', 'deliveries']) {
      expect(manifest.collections[name]?.count, name).to.be.above(0);
    }
    expect(manifest.schemaVersion).to.be.above(0);

    const target = freshDatabase('restore');
    const report = await restoreDatabase(target, archive);
    expect(report.documents).to.equal(manifest.documents);
    for (const name of collections) {
      const [before, after] = [await dump(source, name), await dump(target, name)];
      expect(after.length, `${name}: count`).to.equal(before.length);
      after.forEach((doc, i) => expect(doc, `${name}: document ${i}`).to.deep.equal(before[i]));
      expect(await indexesOf(target, name), `${name}: indexes`).to.deep.equal(await indexesOf(source, name));
    }
  });

  it('keeps dates as dates, ids as ObjectIds and numbers with their BSON type', async () => {
    const target = targets[0];
    const original = await mongoose.connection.db!.collection('contacts').findOne({ email: 'types@fts.test' }, { promoteValues: false });
    const restored = await target.collection('contacts').findOne({ email: 'types@fts.test' }, { promoteValues: false });
    expect(restored!._id).to.be.instanceOf(BSON.ObjectId);
    expect(restored!._id.equals(original!._id)).to.equal(true);
    expect(restored!.date).to.be.instanceOf(Date);
    expect(restored!.date.getTime()).to.equal(original!.date.getTime());
    expect(restored!.nested.level.deeper.at.toISOString()).to.equal('2025-12-31T23:59:59.999Z');
    expect(restored!.int).to.be.instanceOf(BSON.Int32);
    expect(restored!.wholeDouble).to.be.instanceOf(BSON.Double);
    expect(restored!.long.toString()).to.equal('9007199254740993');
    expect(restored!.refs[1].equals(original!.refs[1])).to.equal(true);
    const subscription = await target.collection('subscriptions').findOne({ 'consent.ip': '198.51.100.4' });
    expect(subscription!.consent.confirmedAt.toISOString()).to.equal('2026-01-05T10:03:00.000Z');
  });

  it('refuses a non-empty database and writes nothing, unless --force', async () => {
    const target = freshDatabase('occupied');
    await target.collection('contacts').insertOne({ email: 'deja@fts.test' });
    let refused: unknown;
    await restoreDatabase(target, archive).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(DatabaseNotEmptyError);
    expect((refused as Error).message).to.match(/n'est pas vide \(contacts\).*--force/);
    expect(await documentCount(target)).to.equal(1);

    const report = await restoreDatabase(target, archive, { force: true });
    expect(await target.collection('contacts').findOne({ email: 'deja@fts.test' })).to.equal(null);
    expect(await documentCount(target)).to.equal(report.documents);
  });

  const refusals: Array<[string, (file: string) => void, RegExp]> = [
    ['a gzip stream cut in the middle', (file) => writeFileSync(file, readFileSync(archive).subarray(0, Math.floor(statSync(archive).size / 2))), /tronquée/],
    ['an archive cut at a line end (the manifest lost)', (file) => rewrite(archive, file, (lines) => lines.slice(0, Math.floor(lines.length / 2))), /manifeste final manque/],
    [
      'a document changed after the backup (wrong checksum)',
      (file) => rewrite(archive, file, (lines) => lines.map((line) => line.replace('"Anaïs"', '"Anaïz"'))),
      /somme de contrôle de « contacts »/,
    ],
    ['a document removed (wrong count)', (file) => rewrite(archive, file, (lines) => lines.filter((line) => !line.includes('anaïs.lefèvre@ville.test'))), /contacts.*documents, le manifeste en annonce/],
    ['garbage after the manifest', (file) => rewrite(archive, file, (lines) => [...lines.filter(Boolean), '{"c":"contacts","d":{}}']), /après le manifeste/],
    ['a file that is not gzip', (file) => writeFileSync(file, 'bonjour'), /endommagée ou tronquée/],
  ];
  for (const [what, damage, message] of refusals) {
    it(`refuses ${what} before writing anything`, async () => {
      const file = path.join(dir, `damaged-${refusals.findIndex(([w]) => w === what)}.ejson.gz`);
      damage(file);
      const target = freshDatabase(`damaged${refusals.findIndex(([w]) => w === what)}`);
      let refused: unknown;
      await restoreDatabase(target, file).catch((error: unknown) => (refused = error));
      expect(refused).to.be.instanceOf(ArchiveError);
      expect((refused as Error).message).to.match(message);
      expect(await collectionNames(target)).to.deep.equal([]);
    });
  }

  it('refuses an archive from a newer schema', async () => {
    const file = path.join(dir, 'newer.ejson.gz');
    rewrite(archive, file, (lines) =>
      lines.map((line, i) => (i === 0 || line.startsWith('{"manifest"') ? line.replace(/"schemaVersion":\d+/, '"schemaVersion":999') : line)),
    );
    let refused: unknown;
    await verifyArchive(file).catch((error: unknown) => (refused = error));
    expect((refused as Error).message).to.match(/version plus récente de Maillage.*schéma 999/);
  });

  it('npm run backup and npm run restore say what they wrote and restored; restore refuses a non-empty database with exit code 1', async function () {
    this.timeout(60_000);
    const uri = (db: string) => process.env.TEST_MONGODB_URI!.replace(/\/[^/?]*(\?|$)/, `/${db}$1`);
    const env = { ...process.env, NODE_ENV: 'test', SECRET: 'x'.repeat(32), MONGODB_URI: uri(mongoose.connection.db!.databaseName) };
    const file = path.join(dir, 'cli.ejson.gz');
    const backup = await run('node', ['--import', 'tsx', 'scripts/backup.ts', file], { env });
    expect(backup.stdout).to.match(/Sauvegarde écrite : .*cli\.ejson\.gz \(\d+ collections, \d+ documents/);
    const target = freshDatabase('cli');
    const restore = await run('node', ['--import', 'tsx', 'scripts/restore.ts', file], { env: { ...env, MONGODB_URI: uri(target.databaseName) } });
    expect(restore.stdout).to.match(/Restauration terminée depuis .*cli\.ejson\.gz/).and.match(/contacts\s+\d+/);
    expect(await target.collection('users').countDocuments()).to.equal(await mongoose.connection.db!.collection('users').countDocuments());

    const again = await run('node', ['--import', 'tsx', 'scripts/restore.ts', file], { env: { ...env, MONGODB_URI: uri(target.databaseName) } }).catch((error: { code: number; stderr: string }) => error);
    expect((again as { code: number }).code).to.equal(1);
    expect((again as { stderr: string }).stderr).to.match(/n'est pas vide/);
  });

  it('the daily job keeps the N newest archives', async () => {
    const daily = path.join(dir, 'daily');
    for (const day of ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']) {
      await rotateBackup(mongoose.connection.db!, daily, 3, new Date(`${day}T02:30:00Z`));
    }
    const { removed } = await rotateBackup(mongoose.connection.db!, daily, 3, new Date('2026-11-22T02:30:00Z'));
    expect(removed).to.deep.equal(['maillage-2026-11-19.ejson.gz']);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(daily).sort()).to.deep.equal(['maillage-2026-11-20.ejson.gz', 'maillage-2026-11-21.ejson.gz', 'maillage-2026-11-22.ejson.gz']);
    await verifyArchive(path.join(daily, 'maillage-2026-11-22.ejson.gz'));
  });
});
