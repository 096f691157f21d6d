import { expect } from 'chai';
import { seedDemoUsers } from '../../fixtures/demo/users.js';
import { ConfigError, loadConfig } from '../../server/lib/config.js';
import { User } from '../../server/users/user.model.js';
import { resetDatabase } from '../helpers.js';
import { baseEnv, startProcess } from '../ops/processes.js';

/** Demo accounts have a password printed in the README: they never reach a real database. */
describe('demo data never reaches production', function () {
  this.timeout(120_000);
  beforeEach(resetDatabase);

  it('is on by default only in development on the embedded database', () => {
    const secret = { SECRET: 'x'.repeat(40) };
    expect(loadConfig({ ...secret, NODE_ENV: 'development', DATA_DIR: process.env.TEST_DATA_DIR }).demoData).to.equal(true);
    expect(loadConfig({ ...secret, NODE_ENV: 'development', MONGODB_URI: 'mongodb://db.example/maillage' }).demoData).to.equal(false);
    expect(loadConfig({ ...secret, NODE_ENV: 'production', SMTP_URL: 'smtp://relay.example' }).demoData).to.equal(false);
    expect(() => loadConfig({ ...secret, DEMO_DATA: 'on', MONGODB_URI: 'mongodb://db.example/maillage' })).to.throw(ConfigError, /DEMO_DATA/);
    expect(() => loadConfig({ ...secret, DEMO_DATA: 'on', NODE_ENV: 'production', SMTP_URL: 'smtp://relay.example' })).to.throw(ConfigError, /DEMO_DATA/);
  });

  it('loads no demo record when a development app starts on MONGODB_URI', async () => {
    const { DEMO_DATA: _unset, ...env } = baseEnv(process.env.TEST_MONGODB_URI!, { NODE_ENV: 'development' });
    const app = await startProcess('server/main.ts', env as Record<string, string>);
    try {
      expect(app.url).to.be.a('string');
      expect(await User.countDocuments({ email: /@demo\.maillage\.fr$/ })).to.equal(0);
    } finally {
      await app.stop();
    }
  });

  it('refuses to start in production while a demo account exists, naming it', async () => {
    await seedDemoUsers();
    const env = baseEnv(process.env.TEST_MONGODB_URI!, { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1', JOBS: 'off' });
    delete env.DEMO_DATA;
    const started = await startProcess('server/main.ts', env, { timeoutMs: 60_000 }).then(
      (app) => app,
      (error: Error) => error,
    );
    if (!(started instanceof Error)) {
      await started.stop();
      expect.fail('the app started in production with demo accounts');
    }
    expect(started.message).to.include('comptes de démonstration').and.to.include('admin@demo.maillage.fr');
  });
});
