import { expect } from 'chai';
import { loggablePath } from '../../server/lib/logger.js';
import { confirmUrl, preferencesUrl, unsubscribeUrl } from '../../server/subscriptions/subscription.links.js';
import { newVisitor, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('request logs hold no personal data from token links', () => {
  const lines: string[] = [];
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer({ logTo: { write: (line: string) => void lines.push(line) } });
  });
  after(() => server.close());

  it('logs confirmation, preference and unsubscribe links as :token, without the query string', async () => {
    const { config } = server.ctx;
    const request = { email: 'zoe.secret@exemple.fr', firstName: 'Zoé', lastName: 'Cachée', lists: ['a'], ip: '203.0.113.5', at: Date.now() };
    const links = [
      confirmUrl(config, request),
      preferencesUrl(config, '65a1b2c3d4e5f60718293a4b'),
      unsubscribeUrl(config, '65a1b2c3d4e5f60718293a4c'),
    ].map((url) => url.replace(config.publicUrl, ''));
    const visitor = newVisitor(server);
    for (const path of links) await visitor.get(`${path}?email=zoe.secret@exemple.fr`);
    await visitor.post(links[2], 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });

    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req);
    const urls = requests.map((entry) => entry.req.url);
    expect(urls).to.include.members(['/abonnement/confirmer/:token', '/preferences/:token', '/desabonnement/:token']);
    const all = lines.join('\n');
    for (const path of links) expect(all).not.to.include(path.split('/').pop());
    expect(all).not.to.include('zoe.secret').and.not.to.include('Cachée').and.not.to.include('203.0.113.5');
  });

  it('writes no line for reading the public archive, one for other public pages', async () => {
    const visitor = newVisitor(server);
    const before = lines.length;
    expect((await visitor.get('/lettres')).status).to.equal(200);
    expect((await visitor.get('/abonnement')).status).to.equal(200);
    const logged = lines.slice(before).map((line) => JSON.parse(line).req?.url);
    expect(logged).to.deep.equal(['/abonnement']);
  });

  it('keeps record ids and ordinary paths readable', () => {
    expect(loggablePath('/api/contacts/65a1b2c3d4e5f60718293a4b?filter=x')).to.equal('/api/contacts/65a1b2c3d4e5f60718293a4b');
    expect(loggablePath('/lettres/octobre-2026')).to.equal('/lettres/octobre-2026');
    expect(loggablePath('/rencontres/annulation/eyJhYmMiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ')).to.equal('/rencontres/annulation/:token');
  });
});
