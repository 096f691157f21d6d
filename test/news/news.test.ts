import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { NEWS_IMPORT } from '../../jobs/news-import.job.js';
import { createServer, type Server } from 'node:http';
import { News, NewsMapping } from '../../server/news/news.model.js';
import { Theme } from '../../server/themes/theme.model.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';
import { clientAs, listPath, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';

const rss = readFileSync(new URL('../../fixtures/news/wordpress-rss.xml', import.meta.url), 'utf8');
const atom = readFileSync(new URL('../../fixtures/news/atom.xml', import.meta.url), 'utf8');

const upload = (xml: string, name = 'flux.xml') => {
  const form = new FormData();
  form.set('file', new Blob([xml], { type: 'application/rss+xml' }), name);
  return form;
};
const categoryId = async (code: string) => String((await Vocabulary.findOne({ kind: 'newsCategories', code }).lean())!._id);

describe('news items', () => {
  let server: TestServer;
  let staff: Client;
  before(async () => {
    await resetDatabase();
    // The test sites listen on 127.0.0.1, an internal address: allowed here as an intranet feed would be.
    server = await startTestServer({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });
    staff = (await clientAs(server, 'staff')).client;
  });
  after(() => server.close());

  describe('quick entry', () => {
    it('creates an item from a category code and lists it with Content-Range', async () => {
      const created = await staff.post('/api/news', {
        title: 'Appel à projets ARS Occitanie',
        url: 'https://example.org/aap',
        summary: 'Date limite le 30 novembre.',
        publishedAt: '2026-10-05',
        category: 'appels-a-projets',
        territories: ['region-76'],
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ title: 'Appel à projets ARS Occitanie', category: await categoryId('appels-a-projets'), source: 'manual' });
      expect(created.body.id).to.match(/^[a-f0-9]{24}$/);
      const list = await staff.get(listPath('news', { filter: { q: 'ars occitanie' }, sort: ['publishedAt', 'DESC'], range: [0, 9] }));
      expect(list.headers.get('content-range')).to.equal('news 0-0/1');
      expect(list.body[0].id).to.equal(created.body.id);
    });

    it('accepts a category id from GET /api/news-categories', async () => {
      const categories = await staff.get('/api/news-categories');
      const podcasts = categories.body.find((c: { code: string }) => c.code === 'podcasts-webinaires');
      const created = await staff.post('/api/news', { title: 'Webinaire CLSM', category: podcasts.id });
      expect(created.status).to.equal(201);
      expect(created.body.category).to.equal(podcasts.id);
    });

    it('answers 400 naming the field and writes nothing for bad input', async () => {
      const before = await News.countDocuments();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ title: 'X', category: 'inconnue' }, 'category'],
        [{ title: 'X', category: 'evenements', url: 'javascript:alert(1)' }, 'url'],
        [{ title: { $gt: '' }, category: 'evenements' }, 'title'],
        [{ title: 'X', category: 'evenements', publishedAt: '31/10/2026' }, 'publishedAt'],
        [{ title: 'X', category: 'evenements', themes: ['zzz'] }, 'themes.0'],
        [{ title: 'X', category: 'evenements', territories: ['departement-999'] }, 'territories'],
        [{ title: 'X', category: 'evenements', extra: 1 }, ''],
      ];
      for (const [body, field] of cases) {
        const reply = await staff.post('/api/news', body);
        expect(reply.status, JSON.stringify(body)).to.equal(400);
        if (field) expect(reply.body.error.field, JSON.stringify(body)).to.equal(field);
        expect(reply.body.error.message).to.be.a('string').and.not.to.equal('');
      }
      const filter = await staff.get(listPath('news', { filter: { category: { $gt: '' } } }));
      expect(filter.status).to.equal(400);
      expect(filter.body.error.field).to.equal('filter.category');
      expect(await News.countDocuments()).to.equal(before);
    });

    it('lets the board read but not write', async () => {
      const board = (await clientAs(server, 'board')).client;
      expect((await board.get('/api/news')).status).to.equal(200);
      expect((await board.post('/api/news', { title: 'X', category: 'evenements' })).status).to.equal(403);
    });
  });

  describe('feed import', () => {
    before(async () => {
      await News.deleteMany({});
      await NewsMapping.deleteMany({});
    });

    it('imports a WordPress RSS file, mapping categories to categories, themes and territories', async () => {
      const reply = await staff.post('/api/news/import', upload(rss, 'actualites.xml'));
      expect(reply.status).to.equal(200);
      expect(reply.body).to.include({ source: 'actualites.xml', total: 3, created: 3, skipped: 0 });
      expect(reply.body.unmappedLabels).to.deep.equal(['Divers']);
      const items = await News.find().sort({ publishedAt: 1 }).lean();
      const mentalHealth = await Theme.findOne({ code: 'sante-mentale' }).lean();
      expect(String(items[0].category)).to.equal(await categoryId('politique-nationale'));
      expect(items[0].themes.map(String)).to.deep.equal([String(mentalHealth!._id)]);
      expect(items[0].title).to.equal('Stratégie nationale de santé 2026–2030 : ce qui change pour les CLS');
      expect(String(items[1].category)).to.equal(await categoryId('offres-emploi'));
      expect(items[1].territories).to.deep.equal(['departement-93']);
      expect(String(items[2].category)).to.equal(await categoryId('evenements'));
      expect(items[2].imageUrl).to.equal('https://www.fabrique-territoires-sante.org/wp-content/uploads/asv.jpg');
    });

    it('cleans the HTML of descriptions to safe text and keeps a <script> title as text', async () => {
      const strategy = await News.findOne({ guid: 'https://www.fabrique-territoires-sante.org/?p=4101' }).lean();
      expect(strategy!.summary).to.equal('Le ministère a publié la nouvelle stratégie. Les contrats locaux de santé y tiennent une place centrale …');
      const meeting = await News.findOne({ guid: 'https://www.fabrique-territoires-sante.org/?p=4103' }).lean();
      expect(meeting!.title).to.equal('<script>alert(1)</script> Rencontre {{nationale}} des ASV');
    });

    it('skips items already present, by guid or by link', async () => {
      const again = await staff.post('/api/news/import', upload(rss));
      expect(again.body).to.include({ total: 3, created: 0, skipped: 3 });
      const relinked = rss.replace('?p=4102</guid>', '?p=9999</guid>');
      const byLink = await staff.post('/api/news/import', upload(relinked));
      expect(byLink.body).to.include({ created: 0, skipped: 3 });
      expect(await News.countDocuments()).to.equal(3);
    });

    it('uses the mapping as edited by staff for the next import', async () => {
      const list = await staff.get(listPath('news-mappings', { filter: { q: 'divers' } }));
      expect(list.body).to.have.length(1);
      const edited = await staff.put(`/api/news-mappings/${list.body[0].id}`, { category: 'articles-ouvrages' });
      expect(edited.status).to.equal(200);
      const fresh = rss.replace(/\?p=41/g, '?p=51').replace(/\/2026\/(10|11)\//g, '/2026/$1/v2-');
      const reply = await staff.post('/api/news/import', upload(fresh));
      expect(reply.body).to.include({ created: 3 });
      expect(reply.body.unmappedLabels).not.to.include('Divers');
      const meeting = await News.findOne({ guid: 'https://www.fabrique-territoires-sante.org/?p=5103' }).lean();
      expect(String(meeting!.category)).to.equal(await categoryId('evenements')); // its first mapped category wins
      const bad = await staff.put(`/api/news-mappings/${list.body[0].id}`, { category: 'inconnue' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.field).to.equal('category');
    });

    it('imports an Atom feed from a URL over HTTP', async () => {
      const site: Server = createServer((req, res) => {
        if (req.url === '/feed/atom/') {
          res.setHeader('content-type', 'application/atom+xml; charset=utf-8');
          res.end(atom);
        } else {
          res.statusCode = 404;
          res.end();
        }
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
      try {
        const reply = await staff.post('/api/news/import', { url: `${base}/feed/atom/` });
        expect(reply.status).to.equal(200);
        expect(reply.body).to.include({ total: 1, created: 1 });
        const podcast = await News.findOne({ guid: 'https://www.fabrique-territoires-sante.org/?p=4110' }).lean();
        expect(String(podcast!.category)).to.equal(await categoryId('podcasts-webinaires'));
        expect(podcast!.summary).to.equal('Un épisode sur la santé des femmes dans les quartiers.');
        const missing = await staff.post('/api/news/import', { url: `${base}/nope` });
        expect(missing.status).to.equal(400);
        expect(missing.body.error.field).to.equal('url');
        expect(missing.body.error.message).to.include('404');
      } finally {
        site.close();
      }
    });

    it('imports a file from the command line: npm run news:import -- <file>', async () => {
      await News.deleteMany({ guid: 'https://www.fabrique-territoires-sante.org/?p=4110' });
      const env = { ...process.env, MONGODB_URI: process.env.TEST_MONGODB_URI, NODE_ENV: 'test', DEMO_DATA: 'off', DATA_DIR: process.env.TEST_DATA_DIR!, LOG_LEVEL: 'silent' };
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/news-import.ts', 'fixtures/news/atom.xml'], { env });
      expect(stdout).to.include('atom.xml : 1 éléments, 1 importés, 0 déjà présents.');
      expect(await News.countDocuments({ guid: 'https://www.fabrique-territoires-sante.org/?p=4110' })).to.equal(1);
    });

    it('imports the configured feed on schedule, through the Agenda job', async () => {
      const site: Server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
        res.end(rss.replace(/\?p=41/g, '?p=61').replace(/\/2026\/(10|11)\//g, '/2026/$1/v3-'));
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const feed = `http://127.0.0.1:${(site.address() as { port: number }).port}/feed/`;
      const scheduled = await startTestServer({ env: { NEWS_FEED_URL: feed, FETCH_ALLOW_HOSTS: '127.0.0.1' }, jobs: true });
      try {
        const done = new Promise<void>((resolve) => scheduled.ctx.scheduler.agenda.once(`complete:${NEWS_IMPORT}`, () => resolve()));
        await scheduled.ctx.scheduler.agenda.now(NEWS_IMPORT);
        await done;
        expect(await News.countDocuments({ feedUrl: feed })).to.equal(3);
      } finally {
        await scheduled.close();
        site.close();
      }
    });

    it('creates each item once when two imports of the same feed run at once', async () => {
      const feed = rss.replace(/\?p=41/g, '?p=71').replace(/\/2026\/(10|11)\//g, '/2026/$1/v4-');
      const replies = await Promise.all([staff.post('/api/news/import', upload(feed)), staff.post('/api/news/import', upload(feed))]);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200]);
      expect(replies[0].body.created + replies[1].body.created).to.equal(3);
      expect(await News.countDocuments({ guid: /\?p=71/ })).to.equal(3);
    });

    it('drops javascript:, data: and other non-web links and images with a warning, keeping the item', async () => {
      const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
        <item><title>Piège</title><guid isPermaLink="false">piege-1</guid><link>javascript:alert(document.cookie)</link>
          <enclosure url="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" type="image/svg+xml"/><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
        <item><title>Correct</title><guid isPermaLink="false">piege-2</guid><link>https://example.org/correct</link>
          <enclosure url="https://example.org/image.jpg" type="image/jpeg"/></item>
      </channel></rss>`;
      const reply = await staff.post('/api/news/import', upload(feed));
      expect(reply.status).to.equal(200);
      expect(reply.body.created).to.equal(2);
      expect(reply.body.warnings.map((w: { item: number; message: string }) => w.item)).to.deep.equal([1, 1]);
      expect(reply.body.warnings[0].message).to.match(/^Lien ignoré \(seules les adresses http\(s\) sont acceptées\)/);
      const trap = await News.findOne({ guid: 'piege-1' }).lean();
      expect(trap).to.include({ url: null, imageUrl: null, title: 'Piège' });
      expect(await News.findOne({ guid: 'piege-2' }).lean()).to.include({ url: 'https://example.org/correct', imageUrl: 'https://example.org/image.jpg' });
    });

    it('refuses a feed on a loopback, private, link-local or metadata address, with one message whatever answers there', async () => {
      const site: Server = createServer((_req, res) => res.end(rss));
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const open = (site.address() as { port: number }).port;
      const unprotected = await startTestServer(); // no FETCH_ALLOW_HOSTS
      try {
        const { client } = await clientAs(unprotected, 'staff');
        const targets = [
          `http://127.0.0.1:${open}/feed/`, // a port that answers
          'http://127.0.0.1:1/feed/', // a port that does not
          `http://localhost:${open}/feed/`,
          `http://[::1]:${open}/feed/`,
          `http://[::ffff:127.0.0.1]:${open}/feed/`,
          'http://169.254.169.254/latest/meta-data/',
          'http://10.0.0.1/feed/',
          'http://192.168.1.1/feed/',
        ];
        const messages = new Set<string>();
        for (const url of targets) {
          const reply = await client.post('/api/news/import', { url });
          expect(reply.status, url).to.equal(400);
          expect(reply.body.error.field, url).to.equal('url');
          messages.add(reply.body.error.message);
        }
        expect([...messages]).to.deep.equal(["L'adresse n'a pas pu être lue : elle n'est pas autorisée ou le site ne répond pas."]);
      } finally {
        await unprotected.close();
        site.close();
      }
    });

    it('refuses a public feed that redirects to an internal address', async () => {
      const internal: Server = createServer((_req, res) => res.end(rss));
      await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
      const redirector: Server = createServer((_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', `http://localhost:${(internal.address() as { port: number }).port}/feed/`);
        res.end();
      });
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
      try {
        // The redirector stands for a public site (allowed); where it sends is checked again.
        const reply = await staff.post('/api/news/import', { url: `http://127.0.0.1:${(redirector.address() as { port: number }).port}/feed/` });
        expect(reply.status).to.equal(400);
        expect(reply.body.error.message).to.match(/pas autorisée ou le site ne répond pas/);
      } finally {
        redirector.close();
        internal.close();
      }
    });

    it('refuses a document that is not a feed, naming the field', async () => {
      const reply = await staff.post('/api/news/import', upload('<html><body>Bonjour</body></html>', 'page.html'));
      expect(reply.status).to.equal(400);
      expect(reply.body.error.field).to.equal('file');
      const noUrl = await staff.post('/api/news/import', { url: 'ftp://example.org/feed' });
      expect(noUrl.status).to.equal(400);
      expect(noUrl.body.error.field).to.equal('url');
    });
  });
});
