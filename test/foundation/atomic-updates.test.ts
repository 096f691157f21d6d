import { expect } from 'chai';
import mongoose from 'mongoose';

/**
 * FerretDB 1.24 read, computed and wrote back each updated document without a lock: two
 * updates of one document at once could lose one (server/lib/ferretdb-atomic-updates.patch).
 * Every state change of the app (`{status: 'preparing'}` → draft) relies on them being atomic.
 */
describe('updates of one document at once (the database in use)', function () {
  this.timeout(60_000);
  const docs = () => mongoose.connection.db!.collection<{ _id: string; n?: number; status?: string }>('atomic_updates');

  before(async () => {
    await docs().deleteMany({});
    await docs().insertMany([{ _id: 'counter', n: 0 }, { _id: 'state', status: 'preparing' }]);
  });

  it('applies 100 concurrent increments of one document, none lost', async () => {
    await Promise.all(Array.from({ length: 50 }, () => docs().updateOne({ _id: 'counter' }, { $inc: { n: 1 } })));
    await Promise.all(Array.from({ length: 50 }, () => docs().findOneAndUpdate({ _id: 'counter' }, { $inc: { n: 1 } })));
    expect((await docs().findOne({ _id: 'counter' }))?.n).to.equal(100);
  });

  it('lets exactly one of 40 concurrent conditional changes win, and keeps it', async () => {
    const targets = Array.from({ length: 40 }, (_, k) => `draft-${k}`);
    const results = await Promise.all(
      targets.map((status, k) =>
        k % 2
          ? docs().updateOne({ _id: 'state', status: 'preparing' }, { $set: { status } }).then((r) => r.modifiedCount)
          : docs().findOneAndUpdate({ _id: 'state', status: 'preparing' }, { $set: { status } }).then((doc) => (doc ? 1 : 0)),
      ),
    );
    expect(results.reduce((a, b) => a + b, 0)).to.equal(1);
    const winner = targets[results.indexOf(1)];
    expect((await docs().findOne({ _id: 'state' }))?.status).to.equal(winner);
  });
});
