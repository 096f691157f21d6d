import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId, type Collection, type Db } from 'mongodb';
import mongoose from 'mongoose';
import '../../server/contacts/contact.model.js'; // registered before the suite connects: its indexes are checked
import { isFerretdbOverSqlite } from '../../server/lib/db.js';
import { startFerretdb, type RunningFerretdb } from '../../server/lib/ferretdb.js';

/**
 * The embedded FerretDB carries our patch (server/lib/ferretdb-sqlite-id-index.patch): lookups
 * by `_id` use the `_id` index. Checked on an embedded SQLite database of its own, whatever
 * database the rest of the suite runs on.
 */
describe('the embedded database looks documents up by _id', function () {
  this.timeout(60_000);
  let ferretdb: RunningFerretdb;
  let dir: string;
  let client: MongoClient;
  let db: Db;
  let docs: Collection<{ _id: ObjectId | string; n: number }>;
  const ids = Array.from({ length: 1500 }, () => new ObjectId());

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-db-test-'));
    ferretdb = await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'patch_test' });
    client = await MongoClient.connect(ferretdb.uri);
    db = client.db('patch_test');
    docs = db.collection('docs');
    await docs.insertMany([...ids.map((_id, n) => ({ _id, n })), { _id: 'texte', n: -1 }]);
  });

  after(async () => {
    await client?.close();
    await ferretdb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = async (filter: object) => {
    const explained = await db.command({ explain: { find: 'docs', filter } });
    return (explained.queryPlanner as { Plan: string[] }).Plan.join('\n');
  };

  it('answers an _id equality and an _id $in from the index, not by reading the table', async () => {
    expect(await plan({ _id: ids[700] })).to.match(/SEARCH .* USING INDEX .*__id_/);
    expect(await plan({ _id: { $in: ids.slice(0, 10) } })).to.match(/SEARCH .* USING INDEX .*__id_/);
    expect(await plan({ n: 3 })).to.match(/SCAN/);
  });

  it('finds, updates and deletes exactly the documents asked for', async () => {
    expect((await docs.findOne({ _id: ids[1499] }))?.n).to.equal(1499);
    expect((await docs.findOne({ _id: 'texte' }))?.n).to.equal(-1);
    const some = await docs.find({ _id: { $in: [ids[3], 'texte', ids[1200], new ObjectId()] } }).toArray();
    expect(some.map((d) => d.n).sort((a, b) => a - b)).to.deep.equal([-1, 3, 1200]);
    expect(await docs.countDocuments({ _id: { $in: ids.slice(0, 1200) } })).to.equal(1200);
    // Over 10,000 values the filter is not pushed down: still right, by reading the table.
    const many = [...ids, ...Array.from({ length: 9000 }, () => new ObjectId())];
    expect(await docs.countDocuments({ _id: { $in: many } })).to.equal(1500);
    expect(await plan({ _id: { $in: many } })).to.match(/SCAN/);

    const updated = await docs.updateMany({ _id: { $in: ids.slice(10, 20) } }, { $set: { n: 0 } });
    expect(updated.modifiedCount).to.equal(10);
    expect(await docs.countDocuments({ n: 0 })).to.equal(11); // ids[0] had n = 0 already
    const deleted = await docs.deleteMany({ _id: { $in: [ids[30], ids[31], 'texte'] } });
    expect(deleted.deletedCount).to.equal(3);
    expect(await docs.countDocuments({})).to.equal(1498);
  });

  it('tells FerretDB over SQLite from other servers, where only unique indexes are kept', async () => {
    expect(await isFerretdbOverSqlite(db)).to.equal(true);
    const contactIndexes = (await mongoose.connection.db!.collection('contacts').indexes()).map((index) => index.name);
    if (process.env.MONGODB_URI) {
      // CI's second pass: FerretDB over PostgreSQL keeps every index the schemas declare.
      expect(await isFerretdbOverSqlite(mongoose.connection.db!)).to.equal(false);
      expect(contactIndexes).to.include.members(['_id_', 'email_1', 'themes_1', 'territoryScope_1']);
    } else {
      expect(contactIndexes.sort()).to.deep.equal(['_id_', 'email_1']);
    }
  });

  it('runs SQLite with synchronous=NORMAL, built on the patched allocator (server/lib/modernc-memory-page-reuse.patch)', () => {
    const guard = ferretdb.process.pid!;
    const [server] = readFileSync(`/proc/${guard}/task/${guard}/children`, 'utf8').trim().split(' ');
    const [binary, ...args] = readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
    expect(args.find((arg) => arg.startsWith('--sqlite-url='))).to.match(/\?_pragma=synchronous\(normal\)$/);
    const modules = spawnSync('go', ['version', '-m', binary], { encoding: 'utf8' }).stdout;
    expect(modules).to.match(/modernc\.org\/memory\s+v1\.8\.0\s*\n\s*=>\s+\.\/third_party\/modernc\.org_memory/);
  });
});
