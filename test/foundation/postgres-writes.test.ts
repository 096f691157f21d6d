import { expect } from 'chai';
import { MongoClient, type Collection } from 'mongodb';
import { startFerretdbOnPostgres, type PostgresFerretdb } from '../ops/postgres.js';

/**
 * FerretDB over PostgreSQL, unpatched, hung for good under a burst of writes: update and
 * findAndModify held their query's pool connection while waiting for a second one to write
 * (server/lib/ferretdb-write-after-read.patch). An import's history entries were such a burst.
 */
describe('FerretDB over PostgreSQL under a burst of writes', function () {
  this.timeout(60_000);
  let ferretdb: PostgresFerretdb;
  let client: MongoClient;
  let counters: Collection<{ _id: string; n: number }>;

  before(async () => {
    ferretdb = await startFerretdbOnPostgres('writes');
    client = await MongoClient.connect(ferretdb.uri, { maxPoolSize: 200 });
    counters = client.db('maillage').collection('counters');
    await counters.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: `c${i}`, n: 0 })));
  });

  after(async () => {
    await client?.close();
    await ferretdb?.drop();
  });

  it('answers 200 concurrent updates and 200 concurrent findOneAndUpdates, each applied once', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `c${i}`);
    await Promise.all(ids.map(() => counters.find({}).toArray())); // opens the 200 connections
    await Promise.all(ids.map((_id) => counters.updateOne({ _id }, { $inc: { n: 1 } })));
    const found = await Promise.all(ids.map((_id) => counters.findOneAndUpdate({ _id }, { $inc: { n: 1 } }, { returnDocument: 'after' })));
    expect(found.map((doc) => doc?.n)).to.deep.equal(ids.map(() => 2));
    await Promise.all(ids.map((_id) => counters.updateOne({ _id: `new-${_id}` }, { $set: { n: 1 } }, { upsert: true })));
    expect(await counters.countDocuments({ n: 2 })).to.equal(200);
    expect(await counters.countDocuments({ n: 1 })).to.equal(200);
  });
});
