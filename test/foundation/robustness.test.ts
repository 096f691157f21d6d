import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { MAX_FEED_BYTES } from '../../server/news/news.feed.js';
import { clientAs, Client, resetDatabase, slowUpload, startTestServer, type TestServer } from '../helpers.js';

const runFixture = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'test/foundation/uncaught.fixture.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bad requests are a French 4xx, and no error stops the process', () => {
  let server: TestServer;
  let staff: Client;
  let anonymous: Client;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    anonymous = new Client(server.url);
  });
  after(() => server.close());

  it('answers a malformed percent-encoding in a path with 400', async () => {
    for (const path of ['/api/contacts/%ff', '/api/contacts/%E0%A4%A', '/api/imports/%ff/preview']) {
      const reply = path.endsWith('preview') ? await staff.post(path, {}) : await staff.get(path);
      expect(reply.status, path).to.equal(400);
      expect(reply.body.error).to.deep.equal({ code: 'invalid', message: 'L’adresse demandée contient un caractère mal encodé (%…).' });
    }
    const page = await anonymous.get('/preferences/%ff');
    expect(page.status).to.equal(400);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.text).to.include('L’adresse demandée contient un caractère mal encodé');
  });

  it('answers a form of more than 200 fields with 413, in French', async () => {
    const form = new URLSearchParams();
    for (let i = 0; i < 250; i++) form.append(`champ${i}`, 'x');
    const page = await anonymous.post('/abonnement', form);
    expect(page.status).to.equal(413);
    expect(page.text).to.include('Le formulaire envoyé a trop de champs.');
    const preferences = await anonymous.post('/preferences/un-lien', form);
    expect(preferences.status).to.equal(413);
    expect(preferences.text).to.include('Le formulaire envoyé a trop de champs.');
  });

  it('answers an upload of a feed file over its limit with 413 within 2 s of passing it', async () => {
    const reply = await slowUpload(`${server.url}/api/news/import`, staff.cookie!, { limitBytes: MAX_FEED_BYTES, totalBytes: 6 * MAX_FEED_BYTES });
    expect(reply.status).to.equal(413);
    expect(JSON.parse(reply.body).error).to.deep.equal({ code: 'too_large', message: 'Le fichier dépasse 10 Mo.', field: 'file' });
    expect(reply.answeredAt - reply.passedLimitAt!).to.be.below(2000);
    expect(reply.sentBytes).to.be.below(6 * MAX_FEED_BYTES);
  });

  it('logs an error nothing caught and keeps serving', () => {
    const run = runFixture();
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('still serving');
    const logged = run.stdout.split('\n').filter((line) => line.includes('error nothing caught; still serving'));
    expect(logged.map((line) => JSON.parse(line).kind).sort()).to.deep.equal(['uncaughtException', 'unhandledRejection']);
  });

  it('stops (exit 1) after a burst of uncaught errors, for its supervisor to restart it', () => {
    const run = runFixture('burst');
    expect(run.status).to.equal(1);
    expect(run.stdout).to.include('gave up');
    expect(run.stdout).to.include('too many uncaught errors within a minute');
  });
});
