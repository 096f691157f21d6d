import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import mongoose from 'mongoose';
import { CLAIMS, claimOnce, isDuplicateKey, releaseClaim } from '../../server/lib/db.js';
import { resetDatabase } from '../helpers.js';

const claims = () => mongoose.connection.db!.collection<{ _id: string; at: Date }>(CLAIMS);

describe('claimOnce and isDuplicateKey (server/lib/db.ts)', () => {
  before(resetDatabase);

  it('gives a key to exactly one of many concurrent callers', async () => {
    const won = await Promise.all(Array.from({ length: 12 }, () => claimOnce('test:concurrent', 60_000)));
    expect(won.filter(Boolean)).to.have.length(1);
  });

  it('keeps a fresh claim, and hands a stale one (a crashed holder) to exactly one caller', async () => {
    expect(await claimOnce('test:stale', 60_000)).to.equal(true);
    expect(await claimOnce('test:stale', 60_000)).to.equal(false);
    await claims().updateOne({ _id: 'test:stale' }, { $set: { at: new Date(Date.now() - 120_000) } });
    const won = await Promise.all(Array.from({ length: 6 }, () => claimOnce('test:stale', 60_000)));
    expect(won.filter(Boolean)).to.have.length(1);
    expect(await claimOnce('test:stale', 60_000)).to.equal(false); // the new claim is fresh
  });

  it('never gives back a claim kept forever, and gives a released one again', async () => {
    expect(await claimOnce('test:forever', Infinity)).to.equal(true);
    await claims().updateOne({ _id: 'test:forever' }, { $set: { at: new Date(0) } });
    expect(await claimOnce('test:forever', Infinity)).to.equal(false);
    await releaseClaim('test:forever');
    expect(await claimOnce('test:forever', Infinity)).to.equal(true);
  });

  it('hands a claim held by a process of this host that no longer exists to the next caller at once, only when asked', async () => {
    expect(await claimOnce('test:process', 60_000, { heldByProcess: true })).to.equal(true);
    expect(await claimOnce('test:process', 60_000, { heldByProcess: true })).to.equal(false); // its holder (this process) lives
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await claims().updateOne({ _id: 'test:process' }, { $set: { owner: `${os.hostname()}:${gone}:dead` } });
    expect(await claimOnce('test:process', 60_000)).to.equal(false); // a claim not held by a process stays until stale
    const won = await Promise.all(Array.from({ length: 6 }, () => claimOnce('test:process', 60_000, { heldByProcess: true })));
    expect(won.filter(Boolean)).to.have.length(1);
  });

  it('recognises a duplicate key however the database reports it', async () => {
    const error = await claims().insertOne({ _id: 'test:concurrent', at: new Date() }).catch((e: unknown) => e);
    expect(isDuplicateKey(error)).to.equal(true);
    expect(isDuplicateKey({ message: 'UNIQUE constraint failed: contacts.email' })).to.equal(true);
    expect(isDuplicateKey({ writeErrors: [{ code: 11000 }, { err: { code: 11000 } }] })).to.equal(true);
    expect(isDuplicateKey({ writeErrors: [{ code: 11000 }, { code: 2 }] })).to.equal(false);
    expect(isDuplicateKey(new Error('connection reset'))).to.equal(false);
    expect(isDuplicateKey(undefined)).to.equal(false);
  });
});
