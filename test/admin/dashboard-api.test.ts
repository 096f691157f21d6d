import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { List } from '../../server/lists/list.model.js';
import { createNews } from '../../server/news/news.service.js';
import { compileNewsletter } from '../../server/newsletters/newsletter.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { clientAs, resetDatabase, startTestServer, type TestServer } from '../helpers.js';

describe('GET /api/dashboard/subscriptions', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
    const list = await List.findOne({ code: 'lettre-mensuelle' });
    const subscribe = async (email: string, fields: Record<string, unknown>) => {
      const contact = await createContact({ email });
      await Subscription.create({ contact: contact._id, list: list!._id, source: 'form', ...fields });
    };
    // confirmed on 31 March 23:30 UTC = 1 April 01:30 in Paris: an April gain
    await subscribe('avril@fts.test', { status: 'subscribed', consent: { at: new Date('2025-03-31T20:00:00Z'), source: 'form', confirmedAt: new Date('2025-03-31T23:30:00Z') } });
    await subscribe('mars@fts.test', { status: 'subscribed', consent: { at: new Date('2025-03-10T10:00:00Z'), source: 'import' } });
    await subscribe('parti@fts.test', {
      status: 'unsubscribed',
      consent: { at: new Date('2024-12-01T10:00:00Z'), source: 'staff' },
      unsubscribedAt: new Date('2025-06-15T10:00:00Z'),
    });
    await subscribe('attente@fts.test', { status: 'pending', consent: { at: new Date('2025-05-01T10:00:00Z'), source: 'form' } });
  });
  after(() => server.close());

  it('counts subscribers gained and lost per Paris month of the year', async () => {
    const { client } = await clientAs(server, 'board');
    const reply = await client.get('/api/dashboard/subscriptions?year=2025');
    expect(reply.status).to.equal(200);
    expect(reply.body.list.code).to.equal('lettre-mensuelle');
    expect(reply.body.months).to.have.length(12);
    const byMonth = Object.fromEntries(reply.body.months.map((m: { month: string; gained: number; lost: number }) => [m.month, [m.gained, m.lost]]));
    expect(byMonth['2025-03']).to.deep.equal([1, 0]);
    expect(byMonth['2025-04']).to.deep.equal([1, 0]);
    expect(byMonth['2025-05']).to.deep.equal([0, 0]);
    expect(byMonth['2025-06']).to.deep.equal([0, 1]);
  });

  it('refuses a bad year with a French message naming the field, and anonymous callers', async () => {
    const { client } = await clientAs(server, 'staff');
    const reply = await client.get('/api/dashboard/subscriptions?year=deux-mille');
    expect(reply.status).to.equal(400);
    expect(reply.body.error.field).to.equal('year');
    expect(reply.body.error.message).to.match(/année/);
    expect((await client.get('/api/dashboard/subscriptions?year[$gt]=1')).status).to.equal(400);
    const anonymous = await fetch(`${server.url}/api/dashboard/subscriptions`);
    expect(anonymous.status).to.equal(401);
  });
});

describe('GET /api/dashboard/counts', () => {
  let server: TestServer;
  before(async () => {
    await resetDatabase();
    server = await startTestServer();
  });
  after(() => server.close());

  it('counts the contacts as their list does, the solicitations waiting for an answer and names the latest newsletter', async () => {
    const { client } = await clientAs(server, 'board');
    expect((await client.get('/api/dashboard/counts')).body).to.deep.equal({ contacts: 0, openSolicitations: 0, latestNewsletter: null });

    const { client: staff } = await clientAs(server, 'staff');
    await createContact({ email: 'une@fts.test' });
    const solicitation = async (subject: string) => {
      const reply = await staff.post('/api/solicitations', { channel: 'email', requesterEmail: 'demande@fts.test', type: 'information', requesterType: 'collectivite', subject });
      expect(reply.status, reply.text).to.equal(201);
      return reply.body;
    };
    await solicitation('Encore ouverte');
    const answered = await solicitation('Répondue');
    expect((await staff.put(`/api/solicitations/${answered.id}`, { status: 'answered', answer: 'Envoyé la fiche.' })).status).to.equal(200);
    for (const month of ['09', '10']) {
      await createNews({ title: `Une actualité (${month})`, category: 'politique-nationale', publishedAt: new Date(`2026-${month}-12T10:00:00Z`) });
    }
    await compileNewsletter(server.ctx, '2026-09');
    const latest = (await compileNewsletter(server.ctx, '2026-10')).issue;

    const counts = (await client.get('/api/dashboard/counts')).body;
    const list = await client.get('/api/contacts?range=[0,0]');
    expect(counts.contacts).to.equal(Number(list.headers.get('content-range')!.split('/')[1])).and.equal(2); // with the requester
    expect(counts.openSolicitations).to.equal(1);
    expect(counts.latestNewsletter).to.deep.equal({ id: String(latest._id), month: '2026-10', status: 'draft', sent: null });
    expect((await fetch(`${server.url}/api/dashboard/counts`)).status).to.equal(401);
  });
});
