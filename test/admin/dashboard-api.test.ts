import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { List } from '../../server/lists/list.model.js';
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
