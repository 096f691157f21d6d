import { expect } from 'chai';
import { ARCHIVE_STAMP, bumpStamp, Stamp } from '../../server/lib/stamped-cache.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { newVisitor, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

const sentIssue = (month: string, slug: string) => ({
  month,
  slug,
  title: `Lettre ${slug}`,
  status: 'sent' as const,
  content: { subject: 's', html: '<p>h</p>', text: 't' },
  webHtml: `<html lang="fr"><body><h1>Lettre ${slug}</h1></body></html>`,
  compiledAt: new Date(),
});

describe('the public archive is served from memory and follows sent issues', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
  });
  after(() => server.close());

  it('keeps the pages until the archive stamp changes, in this process at once', async () => {
    const visitor = newVisitor(server);
    expect((await visitor.get('/lettres')).text).to.include("Aucune lettre n'a encore été publiée.");
    await Newsletter.create(sentIssue('2026-09', 'septembre-2026'));
    // Written behind the app's back (no stamp change): the cached page is still served.
    expect((await visitor.get('/lettres')).text).to.include("Aucune lettre n'a encore été publiée.");
    await bumpStamp(ARCHIVE_STAMP); // what sending an issue does
    const list = await visitor.get('/lettres');
    expect(list.text).to.include('href="/lettres/septembre-2026"');
    const page = await visitor.get('/lettres/septembre-2026');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('<h1>Lettre septembre-2026</h1>');
  });

  it("shows another process's change within a few seconds", async () => {
    const visitor = newVisitor(server);
    await Newsletter.create(sentIssue('2026-10', 'octobre-2026'));
    expect((await visitor.get('/lettres')).text).not.to.include('octobre-2026');
    await Stamp.updateOne({ _id: ARCHIVE_STAMP }, { $set: { version: 'bumped-by-another-process' } }); // no local bump
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await visitor.get('/lettres')).text).to.include('href="/lettres/octobre-2026"');
    expect((await visitor.get('/lettres/octobre-2026')).status).to.equal(200);
  });
});
