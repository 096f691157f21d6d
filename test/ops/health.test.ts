import { expect } from 'chai';
import mongoose from 'mongoose';
import { createLogger } from '../../server/lib/logger.js';
import { MIGRATIONS_COLLECTION, runMigrations } from '../../server/ops/migration.service.js';
import { Client, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('health: alive and ready', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    await runMigrations(mongoose.connection.db!, createLogger('silent'));
    server = await startTestServer({ jobs: true });
  });
  after(() => server.close());

  it('keeps GET /api/health as the foundation defined it', async () => {
    const reply = await new Client(server.url).get('/api/health');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ status: 'ok', db: 'ok', jobs: 'ok' });
  });

  it('answers GET /api/health/live without login', async () => {
    const reply = await new Client(server.url).get('/api/health/live');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ status: 'ok' });
  });

  it('is ready when the database answers, migrations are applied and the scheduler beats', async () => {
    const reply = await new Client(server.url).get('/api/health/ready');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.include({ status: 'ok', db: 'ok', migrations: 'ok', jobs: 'ok' });
    expect(reply.body.schemaVersion).to.be.a('number').above(0);
  });

  it('is alive but not ready while a migration is pending', async () => {
    const records = mongoose.connection.db!.collection<{ _id: string }>(MIGRATIONS_COLLECTION);
    const last = await records.find().sort({ version: -1 }).limit(1).next();
    await records.deleteOne({ _id: last!._id });
    try {
      const ready = await new Client(server.url).get('/api/health/ready');
      expect(ready.status).to.equal(503);
      expect(ready.body).to.include({ status: 'not_ready', db: 'ok', migrations: 'pending' });
      expect((await new Client(server.url).get('/api/health/live')).status).to.equal(200);
    } finally {
      await records.insertOne(last!);
    }
  });

  it('is not ready when no scheduler beat for 30 s', async () => {
    const heartbeats = mongoose.connection.db!.collection<{ _id: string }>('heartbeats');
    await server.close();
    await heartbeats.updateOne({ _id: 'scheduler' }, { $set: { at: new Date(Date.now() - 60_000) } });
    server = await startTestServer({ jobs: false });
    const ready = await new Client(server.url).get('/api/health/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body).to.include({ db: 'ok', migrations: 'ok', jobs: 'down' });
  });
});
