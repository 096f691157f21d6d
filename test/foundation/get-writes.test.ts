import { expect } from 'chai';
import { Collection } from 'mongodb';
import { loadDemoDataOnce } from '../../fixtures/index.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createMailing } from '../../server/delivery/mailing.service.js';
import { createLogger } from '../../server/lib/logger.js';
import { createNews } from '../../server/news/news.service.js';
import { Newsletter } from '../../server/newsletters/newsletter.model.js';
import { compileNewsletter } from '../../server/newsletters/newsletter.service.js';
import { createSegment } from '../../server/segments/segment.service.js';
import { clientAs, resetDatabase, startTestServer, type Client, type TestServer } from '../helpers.js';

/** Every write method of the driver's collections: Mongoose goes through them too. */
const WRITES = ['insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'bulkWrite'] as const;

/** Wraps the database so that each write says which collection it touched. */
function recordWrites(): { writes: string[]; restore(): void } {
  const writes: string[] = [];
  const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = WRITES.map((name) => [name, proto[name]] as const);
  for (const [name, original] of originals) {
    proto[name] = function (this: Collection, ...args: unknown[]) {
      writes.push(`${name} ${this.collectionName}`);
      return original.apply(this, args);
    };
  }
  return { writes, restore: () => originals.forEach(([name, original]) => (proto[name] = original)) };
}

describe('a GET writes nothing', () => {
  let server: TestServer;
  let staff: Client;
  const paths: string[] = [];

  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await loadDemoDataOnce(createLogger('silent'));
    server = await startTestServer();
    staff = (await clientAs(server, 'staff')).client;
    const admin = (await clientAs(server, 'admin')).client;
    // an issue being sent: reading it used to record its figures
    await createNews({ title: 'Actualité de février', category: 'politique-nationale', publishedAt: new Date('2027-02-10T10:00:00Z') });
    const issue = (await compileNewsletter(server.ctx, '2027-02')).issue;
    const mailing = await createMailing({ source: { kind: 'newsletter', id: String(issue._id) }, list: 'lettre-mensuelle', content: { subject: 's', html: 'h', text: 't' } });
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
    await Newsletter.updateOne({ _id: issue._id }, { $set: { status: 'sending', mailing: mailing._id } });
    const segment = await createSegment({ name: 'Tout le monde', filter: {} });
    const first = async (resource: string) => (await admin.get(`/api/${resource}?range=[0,0]`)).body[0]?.id as string | undefined;
    const ids = {
      contact: await first('contacts'),
      organisation: await first('organisations'),
      membership: await first('memberships'),
      solicitation: await first('solicitations'),
      news: await first('news'),
      list: await first('lists'),
      theme: await first('themes'),
    };
    paths.push(
      ...['contacts', 'organisations', 'segments', 'lists', 'subscriptions', 'mailings', 'deliveries', 'themes', 'territories', 'history', 'news', 'newsletters', 'memberships', 'fee-schedules', 'membership-reminders', 'solicitations', 'imports', 'vocabularies', 'outbox'].map((r) => `/api/${r}`),
      '/api/auth/me',
      '/api/health/live',
      '/api/contacts/duplicates',
      '/api/contacts/export.json',
      `/api/contacts?filter=${encodeURIComponent(JSON.stringify({ membership: ['a-jour'], lists: [ids.list] }))}`,
      `/api/contacts/${ids.contact}`,
      `/api/contacts/${ids.contact}/history`,
      `/api/organisations/${ids.organisation}`,
      `/api/organisations/${ids.organisation}/history`,
      `/api/segments/${segment._id}`,
      `/api/segments/${segment._id}/count`,
      `/api/segments/${segment._id}/contacts`,
      `/api/memberships/${ids.membership}`,
      `/api/memberships/state/contact/${ids.contact}`,
      '/api/memberships/board?year=2026',
      `/api/solicitations/${ids.solicitation}`,
      '/api/solicitations/by-status?year=2026',
      `/api/news/${ids.news}`,
      `/api/lists/${ids.list}`,
      `/api/themes/${ids.theme}`,
      `/api/newsletters/${issue._id}`,
      `/api/newsletters/${issue._id}/preview.html`,
      `/api/mailings/${mailing._id}`,
      '/api/reports/activity?year=2026',
      '/api/dashboard/subscriptions?year=2026',
    );
    await staff.get('/api/contacts'); // the first read of the contacts loads their index
  });
  after(() => server.close());

  it('answers every staff screen’s reads without writing a document', async () => {
    const recorder = recordWrites();
    const answered: string[] = [];
    try {
      for (const path of paths) {
        const reply = await staff.get(path);
        answered.push(`${reply.status} ${path}`);
      }
    } finally {
      recorder.restore();
    }
    expect(answered.filter((line) => !line.startsWith('200'))).to.deep.equal([]);
    expect(recorder.writes).to.deep.equal([]);
  });
});
