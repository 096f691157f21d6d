import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { PURGE_EXPIRED } from '../../jobs/purge-expired.job.js';
import { RateCounter } from '../../server/lib/rate-limit.js';
import { Session } from '../../server/users/session.model.js';
import { User } from '../../server/users/user.model.js';
import { ensureFirstAdmin } from '../../server/users/user.service.js';
import { resetDatabase, startTestServer } from '../helpers.js';

describe('the first administrator and account maintenance', () => {
  beforeEach(resetDatabase);

  it('creates the first administrator from the environment only when there is no user', async () => {
    expect(await ensureFirstAdmin({ email: 'Direction@FTS.test', password: 'un mot de passe sûr' })).to.equal(true);
    expect(await User.findOne({ email: 'direction@fts.test' }).lean()).to.include({ role: 'admin' });
    expect(await ensureFirstAdmin({ email: 'autre@fts.test', password: 'un mot de passe sûr' })).to.equal(false);
    expect(await User.countDocuments()).to.equal(1);
  });

  it('stores an argon2id hash, never the password', async () => {
    await ensureFirstAdmin({ email: 'direction@fts.test', password: 'un mot de passe sûr' });
    const user = await User.findOne({ email: 'direction@fts.test' }).lean();
    expect(user!.passwordHash).to.match(/^\$argon2id\$/);
    expect(JSON.stringify(user)).not.to.include('un mot de passe sûr');
  });

  it('adds an account with npm run user:create against the same database', async function () {
    this.timeout(60_000);
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/user-create.ts', '--email', 'nadia@fts.test', '--name', 'Nadia', '--role', 'board', '--password', 'mot de passe du CA'],
      { env: { ...process.env, MONGODB_URI: process.env.TEST_MONGODB_URI, DEMO_DATA: 'off', NODE_ENV: 'test', SECRET: 'x'.repeat(40) }, encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).to.include('Compte créé : nadia@fts.test (board).');
    expect(result.status).to.equal(0);
    expect(await User.findOne({ email: 'nadia@fts.test' }).lean()).to.include({ role: 'board' });
  });

  it('purges expired and idle sessions and rate-limit counters in the maintenance job', async () => {
    const server = await startTestServer({ jobs: true });
    try {
      const past = new Date(Date.now() - 1000);
      const future = new Date(Date.now() + 3_600_000);
      const user = await User.create({ email: 'x@fts.test', name: 'X', role: 'staff', passwordHash: 'x' });
      const idle = { idleMs: 8 * 3_600_000 };
      await Session.create([
        { tokenHash: 'old', user: user._id, expiresAt: past, idleUntil: future, ...idle },
        { tokenHash: 'idle', user: user._id, expiresAt: future, idleUntil: past, ...idle },
        { tokenHash: 'live', user: user._id, expiresAt: future, idleUntil: future, ...idle },
      ]);
      await RateCounter.create([{ _id: 'login:old', count: 3, resetAt: past }, { _id: 'login:live', count: 3, resetAt: future }]);
      const { agenda } = server.ctx.scheduler;
      const done = new Promise((resolve) => agenda.once(`complete:${PURGE_EXPIRED}`, resolve));
      await agenda.now(PURGE_EXPIRED);
      await done;
      expect((await Session.find().lean()).map((s) => s.tokenHash)).to.deep.equal(['live']);
      expect((await RateCounter.find().lean()).map((c) => c._id)).to.deep.equal(['login:live']);
    } finally {
      await server.close();
    }
  });
});
